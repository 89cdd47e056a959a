#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of Fuzz/ (a package of its own, so the
# main build never sees them).
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]   one target
#   scripts/fuzz.sh all SECONDS [libFuzzer options...]      each target in turn
#   scripts/fuzz.sh list                                    the target names
#
# Seeds come from Fuzz/corpus/TARGET (committed; Fuzz/make-seeds.py writes
# them) and Fuzz/regressions/TARGET (inputs that once failed; each is also a
# test in Tests/); what the fuzzer finds goes to .build-fuzz/corpus/TARGET and crash
# inputs to .build-fuzz/artifacts/TARGET/, both out of git. Runs one fuzzer at
# a time, at lower priority (FUZZ_NICE, default 10), on one core. Prints one
# line per target with executions and seconds, and exits non-zero when any
# target crashed, leaked, timed out or broke an invariant.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

targets=(fuzz-event-line fuzz-object-key fuzz-room-verify fuzz-s3-listing fuzz-gcs-listing fuzz-timeline fuzz-ctl)
usage() { echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options...]; targets: ${targets[*]}" >&2; exit 2; }

[ $# -ge 1 ] || usage
if [ "$1" = list ]; then printf '%s\n' "${targets[@]}"; exit 0; fi
[ $# -ge 2 ] || usage
what=$1 seconds=$2
shift 2
case "$seconds" in ''|*[!0-9]*) usage ;; esac
if [ "$what" = all ]; then
  run=("${targets[@]}")
else
  printf '%s\n' "${targets[@]}" | grep -qx -- "$what" || usage
  run=("$what")
fi

scratch=.build-fuzz
# SwiftPM's --sanitize=fuzzer makes the targets libraries-with-a-libFuzzer-main
# (-parse-as-library, libFuzzer linked); the -Xswiftc flag then asks for
# AddressSanitizer as well, in one list: two separate -sanitize= flags reach
# the compiler as "the last one wins" and coverage would silently go missing.
# Release mode: the targets run about 8 times faster than in debug (the
# room verifier from 25 to 200 inputs a second); Swift keeps its checks.
flags=(-c release --package-path Fuzz --scratch-path "$scratch" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
start=$(date +%s)
# One product at a time: a plain `swift build` of this package once also
# tried to link the main package's own executables with libFuzzer's main
# (duplicate `main`).
for t in "${run[@]}"; do
  nice -n "${FUZZ_NICE:-10}" swift build "${flags[@]}" --product "$t" 2>&1 | grep -v "Cannot export local symbol" \
    || { echo "fuzz: build of $t failed" >&2; exit 1; }
done
echo "fuzz: built in $(( $(date +%s) - start )) s"
bin=$(swift build "${flags[@]}" --show-bin-path)

status=0
for t in "${run[@]}"; do
  corpus="$scratch/corpus/$t"
  artifacts="$scratch/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  log="$scratch/$t.log"
  t0=$(date +%s)
  # Leaks count as failures (libFuzzer checks after runs that grew memory),
  # except the one toolchain leak listed in Fuzz/lsan.supp. Swift's own crash
  # backtracer is off: it trips ASan, and libFuzzer prints the stack anyway.
  extra=()
  # FoundationXML leaks on every malformed body (Fuzz/lsan.supp), so
  # libFuzzer's per-input leak check would run a full LSan scan nearly every
  # time (50 inputs/s instead of 1,200). Leaks are still checked once, at
  # exit, with the same suppressions.
  [ "$t" = fuzz-s3-listing ] && extra+=(-detect_leaks=0)
  seeds=("Fuzz/corpus/$t")
  [ -d "Fuzz/regressions/$t" ] && seeds+=("Fuzz/regressions/$t")
  rc=0
  SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
    nice -n "${FUZZ_NICE:-10}" "$bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts" ${extra[@]+"${extra[@]}"} "$@" "$corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(( $(date +%s) - t0 ))
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "fuzz: $t FAILED after ${secs} s (exit $rc); log $log, input in $artifacts"
    grep -E 'ERROR|Fatal error|fatal error|SUMMARY|Test unit written' "$log" | head -8 || true
  else
    echo "fuzz: $t ok: ${runs:-?} executions in ${secs} s, ${cov:-cov ?}, corpus $(ls "$corpus" | wc -l) files"
  fi
done
exit "$status"
