import ChatEngine
import ChatProtocol
import CloudHTTP
import Foundation
import ObjectStore
import S3Store
import Testing

/// The real write and read paths (RoomSession, Outbox, Uploader, RoomSync over
/// S3Store and libcurl) through scripts/fault_proxy.py to moto with IAM
/// enforced: dropped and reset connections, delays, 500/503/SlowDown, cut
/// bodies, and PUTs the server applied whose answer was lost or replaced by a
/// 500. Every message arrives exactly once, each device's in its send order.
///
/// `BUCKETCHAT_FAULT_MESSAGES` (per device, default 150), `BUCKETCHAT_FAULT_DEVICES`
/// (default 2) and `BUCKETCHAT_FAULT_SEED` make the long form; the test prints
/// its figures on a line starting `fault-injection:`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BUCKETCHAT_TEST_S3_ENDPOINT"] != nil,
                "BUCKETCHAT_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts moto_server"))
struct FaultTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// About a quarter of requests meet a fault.
    static let rates: [String: Double] = [
        "drop_before": 0.03, "reset_before": 0.02, "delay": 0.05, "error_500": 0.03, "error_503": 0.02,
        "slow_down": 0.03, "lost_response": 0.04, "error_after": 0.02, "truncate": 0.04,
    ]

    @Test func everyMessageArrivesOnceAndInOrderThroughFaults() async throws {
        let perDevice = Int(Self.environment["BUCKETCHAT_FAULT_MESSAGES"] ?? "") ?? 150
        let deviceCount = max(2, Int(Self.environment["BUCKETCHAT_FAULT_DEVICES"] ?? "") ?? 2)
        let seed = Int(Self.environment["BUCKETCHAT_FAULT_SEED"] ?? "") ?? 7
        let started = ContinuousClock.now
        let world = try await FaultWorld(seed: seed)
        defer { world.remove() }

        var sessions: [RoomSession] = []
        for index in 0..<deviceCount {
            sessions.append(try await world.member("user\(index)", seed: UInt8(index + 1), joining: sessions.first))
        }
        // Every kind at least once, on the first log uploads; then the random schedule.
        try await world.proxy.setRules(FaultProxy.kinds.map { FaultProxy.Rule(method: "PUT", path: "/logs/", fault: $0) })
        try await world.proxy.setRates(Self.rates, seed: seed)

        let reader = RoomSync(store: world.store(), roomID: world.roomID, settings: world.syncSettings)
        let received = UpdateLog()
        let following = Task {
            await reader.run(deliver: { await received.add($0) }, failed: { await received.fail($0) })
        }
        defer { following.cancel() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask {
                    for n in 0..<perDevice {
                        try await session.send("user\(index) \(n)")
                        // Pauses now and then, so uploads are many small files, each a chance for a fault.
                        if n % 3 == 2 { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    try await session.outbox.flush()
                }
            }
            try await group.waitForAll()
        }
        let expected = perDevice * deviceCount
        let arrived = try await eventually(seconds: 60) { await received.messageBodies().count >= expected }
        following.cancel()
        for session in sessions { await session.stopUploading() }
        let stats = try await world.proxy.stats()
        try await world.proxy.setRates([:])
        // One more full listing after the faults: nothing new may appear (no duplicate, nothing late).
        for update in try await reader.sync(full: true) { await received.add(update) }

        let bodies = await received.messageBodies()
        var seen: [String: Int] = [:]
        for body in bodies { seen[body, default: 0] += 1 }
        let duplicates = seen.values.reduce(0) { $0 + max(0, $1 - 1) }
        var missing = 0
        var reordered = 0
        for index in 0..<deviceCount {
            let mine = bodies.filter { $0.hasPrefix("user\(index) ") }.compactMap { Int($0.split(separator: " ")[1]) }
            missing += Set(0..<perDevice).subtracting(mine).count
            reordered += zip(mine, mine.dropFirst()).filter { $0 >= $1 }.count
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
        print("fault-injection: devices=\(deviceCount) messages=\(expected) seed=\(seed) requests=\(stats.requests) forwarded=\(stats.forwarded) "
              + "faults=\(stats.injected) [\(stats.summary)] methods=\(stats.methods.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) "
              + "delivered=\(bodies.count) duplicates=\(duplicates) missing=\(missing) reordered=\(reordered) seconds=\(String(format: "%.1f", seconds))")

        #expect(arrived, "all \(expected) messages reach the reader once the uploads are done")
        #expect(duplicates == 0)
        #expect(missing == 0)
        #expect(reordered == 0, "each device's messages arrive in the order it sent them")
        let problems = await received.problems
        #expect(problems.isEmpty, "no rejection and no alarm: \(problems)")
        for kind in FaultProxy.kinds {
            #expect((stats.faults[kind] ?? 0) > 0, "the proxy injected \(kind)")
        }

        // The bucket itself, read past the proxy: each event in exactly one object, all verified.
        let objects = try await storedObjects(world.direct, roomID: world.roomID)
        let counts = try eventIDCounts(objects.filter { LogObjectName(key: $0.key) != nil }.map { ($0.key, $0.bytes) })
        #expect(counts.values.allSatisfy { $0 == 1 }, "no event was uploaded under two names")
        let verification = RoomVerifier().verify(roomID: world.roomID, objects: objects)
        #expect(verification.accepted.count == expected + deviceCount * 2 - 1, "the messages, the joins and the invites")
        #expect(verification.rejected.isEmpty && verification.alarms.isEmpty, "\(verification.rejected) \(verification.alarms)")
    }

    @Test func storeClockMinutesOffChangesNothingAndBeyondS3sLimitIsNamed() async throws {
        let world = try await FaultWorld(seed: 1)
        defer { world.remove() }
        // Our code never reads the server's Date header; S3 itself refuses requests
        // signed more than 15 minutes from its clock, which the proxy enforces here.
        try await world.proxy.setStoreClock(offsetSeconds: -7 * 60, maxSkewSeconds: 900)
        let alice = try await world.member("alice", seed: 1, joining: nil)
        let bob = try await world.member("bob", seed: 2, joining: alice,
                                         now: { Int64(Date().timeIntervalSince1970 * 1000) + 4 * 60_000 })
        try await alice.send("store seven minutes behind")
        try await bob.send("bob four minutes ahead")
        try await alice.outbox.flush()
        try await bob.outbox.flush()
        let reader = RoomSync(store: world.store(), roomID: world.roomID)
        let updates = try await reader.sync()
        let verification = await reader.verification
        #expect(verification.rejected.isEmpty && verification.alarms.isEmpty)
        let bodies = updates.compactMap { update -> String? in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
        #expect(bodies == ["store seven minutes behind", "bob four minutes ahead"])

        try await world.proxy.setStoreClock(offsetSeconds: 20 * 60, maxSkewSeconds: 900)
        try await alice.send("store twenty minutes ahead")
        do {
            try await alice.outbox.flush()
            Issue.record("S3 refuses a request signed 20 minutes off; the flush cannot succeed")
        } catch {
            #expect(error.code == .storeRefused)
            #expect(error.message.contains("clock"), "\(error.message)")
        }
        #expect(await alice.outbox.status.pendingEvents == 1, "kept in the journal, retried")
        try await world.proxy.setStoreClock(offsetSeconds: 0, maxSkewSeconds: nil)
        // The refusal stands until the uploader's next try succeeds; then the flush does.
        #expect(try await eventually(seconds: 10) { await alice.outbox.status.pendingEvents == 0 })
        try await alice.outbox.flush()
        await alice.stopUploading()
        await bob.stopUploading()
    }

    @Test func putAppliedButItsAnswerLostIsConfirmedNotDuplicated() async throws {
        let world = try await FaultWorld(seed: 1)
        defer { world.remove() }
        let alice = try await world.member("alice", seed: 1, joining: nil)
        // The next log PUT reaches moto and is applied, but its answer never comes
        // back; the retry meets 412 and finds its own bytes there.
        try await world.proxy.setRules([FaultProxy.Rule(method: "PUT", path: "/logs/", fault: "lost_response", count: 2)])
        let event = try await alice.send("sent once")
        try await alice.outbox.flush()
        let stats = try await world.proxy.stats()
        #expect(stats.faults["lost_response"] == 2)
        let logs = try await logObjects(world.direct, roomID: world.roomID)
        let counts = try eventIDCounts(logs)
        #expect(counts[event.eventID] == 1, "one object holds it, once")
        #expect(await alice.outbox.status.pendingEvents == 0)
        #expect(await alice.outbox.status.refusal == nil)
        await alice.stopUploading()
    }
}
