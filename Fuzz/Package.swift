// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for bucketchat (scripts/fuzz.sh builds and runs them).
//
// A package of its own so the main build and tests never see these targets:
// they are built with `-sanitize=fuzzer -parse-as-library`, where libFuzzer
// supplies `main` and each target only exports `LLVMFuzzerTestOneInput`.
// They use the main package's public API only.
let package = Package(
    name: "bucketchat-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "bucketchat", path: ".."),
    ],
    targets: [
        // Checks shared by the targets.
        .target(name: "FuzzSupport"),
        // Event lines: strict JSON parser, canonical encoder, Event(json:).
        .executableTarget(
            name: "fuzz-event-line",
            dependencies: [.product(name: "ChatProtocol", package: "bucketchat")]
        ),
        // Log object names and room object keys.
        .executableTarget(
            name: "fuzz-object-key",
            dependencies: [.product(name: "ChatProtocol", package: "bucketchat")]
        ),
        // Whole-room verification over a fixed valid room plus fuzzer-made objects.
        .executableTarget(
            name: "fuzz-room-verify",
            dependencies: [.product(name: "ChatProtocol", package: "bucketchat")]
        ),
        // The S3 ListObjectsV2 XML page parser.
        .executableTarget(
            name: "fuzz-s3-listing",
            dependencies: [.product(name: "S3Store", package: "bucketchat")]
        ),
        // The GCS JSON object-list page parser.
        .executableTarget(
            name: "fuzz-gcs-listing",
            dependencies: [.product(name: "GCSStore", package: "bucketchat")]
        ),
        // The `ctl` command parser of a mounted room (and of `bucketchat chat`'s slash commands).
        .executableTarget(
            name: "fuzz-ctl",
            dependencies: [.product(name: "ChatEngine", package: "bucketchat")]
        ),
        // Timeline lines: one safe line per event whatever a sender writes.
        .executableTarget(
            name: "fuzz-timeline",
            dependencies: [
                .product(name: "ChatProtocol", package: "bucketchat"),
                .product(name: "ChatEngine", package: "bucketchat"),
                "FuzzSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
