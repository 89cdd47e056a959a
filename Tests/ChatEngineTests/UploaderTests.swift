@testable import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

@Suite struct UploaderTests {
    @Test func restartReplaysTheSameNamesAndBytes() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let down = RecordingStore()
        await down.failNext(Int.max)
        var journaled: UploadBatch
        do {
            let outbox = try fixture.outbox()
            for i in 0..<7 { _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("m\(i)")) }
            let uploader = Task { await Uploader(outbox: outbox, store: down).run() }
            #expect(try await eventually(seconds: 5) {
                let formed = await outbox.oldestBatch() != nil
                let failed = await outbox.status.lastError != nil
                return formed && failed
            })
            uploader.cancel()
            await uploader.value
            journaled = try #require(await outbox.oldestBatch())
            // Sent after the batch was formed: must be batched anew after a restart.
            for i in 7..<10 { _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("m\(i)")) }
        }
        #expect(journaled.count == 7)

        for store in [MemoryStore() as any ObjectStore, LocalFolderStore(root: fixture.state + "/bucket")] {
            let outbox = try fixture.outbox()
            let replayed = try #require(await outbox.oldestBatch())
            #expect(replayed.name == journaled.name)
            #expect(replayed.bytes == journaled.bytes)
            let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
            try await outbox.flush()
            uploader.cancel()
            await uploader.value
            let logs = try await logObjects(store, roomID: fixture.roomID)
            #expect(logs.count == 2)
            #expect(logs.first { $0.key == journaled.name.key }?.bytes == journaled.bytes, "the replayed object is byte-identical")
            #expect(try eventIDCounts(logs).values.sorted() == Array(repeating: 1, count: 10))
            // Nothing confirmed here is in the journal as confirmed for the next store:
            // reset by re-reading a copy of the journal taken before this loop is overkill;
            // instead the second store gets a journal whose batches are still open.
            try rewindUploads(fixture)
        }
    }

    @Test func replayOfAnUploadThatLandedIsSuccessNotDuplicate() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        do {
            let outbox = try fixture.outbox()
            for i in 0..<3 { _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("m\(i)")) }
            let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
            try await outbox.flush()
            uploader.cancel()
            await uploader.value
        }
        // A crash after the put landed but before its confirmation was journaled.
        try rewindUploads(fixture)
        let outbox = try fixture.outbox()
        #expect(await outbox.status.pendingEvents == 3)
        let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
        try await outbox.flush()
        uploader.cancel()
        #expect(await store.puts.count == 1, "the second put found the same bytes and counted as success")
        #expect(await outbox.status.lastError == nil)
        #expect(try await logObjects(store.inner, roomID: fixture.roomID).count == 1)
    }

    /// Drops the upload confirmations so the next open replays every batch again.
    func rewindUploads(_ fixture: EngineFixture) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.journalPath))
        let kept = bytes.split(separator: 0x0A).filter { $0.first != UInt8(ascii: "U") }
        try Data(kept.map { Data($0) + Data([0x0A]) }.joined()).write(to: URL(fileURLWithPath: fixture.journalPath))
    }

    @Test func firstEventAfterIdleGoesOutPromptly() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        let outbox = try fixture.outbox()
        let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
        defer { uploader.cancel() }
        // Three idle episodes; the best one is judged, so a load spike on the
        // shared machine during one of them cannot fail the test, while an
        // uploader that held idle events back for its one-second spacing would.
        var latencies: [Duration] = []
        for episode in 0..<3 {
            try await Task.sleep(for: .milliseconds(1200))
            let sent = ContinuousClock.now
            _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("hello \(episode)"))
            #expect(try await eventually(seconds: 10) { await store.puts.count == episode + 1 })
            let put = try #require(await store.puts.last)
            latencies.append(put.at - sent)
            // The store has the object before the uploader hears back and
            // records it, so the status may lag the put by a moment.
            #expect(try await eventually(seconds: 10) { await outbox.status.lastUpload?.key == put.key })
        }
        let best = try #require(latencies.min())
        // §9 says 200 ms (dueTimesFollowSection9 checks the rule exactly); the
        // tolerance covers a debug build.
        #expect(best < .milliseconds(600), "first upload after idle took \(latencies)")
        #expect(await outbox.status.pendingEvents == 0)
    }

    @Test func sustainedTrafficIsOneFilePerSecond() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        let outbox = try fixture.outbox()
        let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
        defer { uploader.cancel() }
        let started = ContinuousClock.now
        for i in 0..<60 { // about 25 messages a second for 2.4 s
            _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("m\(i)"))
            try await Task.sleep(for: .milliseconds(40))
        }
        try await outbox.flush()
        let elapsed = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
        let puts = await store.puts
        #expect(puts.count >= 2)
        #expect(Double(puts.count) <= elapsed + 2, "\(puts.count) files in \(elapsed) s")
        for (a, b) in zip(puts, puts.dropFirst()) {
            #expect(b.at - a.at > .milliseconds(900), "uploads of one device are at least a second apart under load")
        }
    }

    @Test func batchesHoldAtMost500EventsAnd1MiB() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        let outbox = try fixture.outbox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<1_200 { group.addTask { _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("m\(i)")) } }
            try await group.waitForAll()
        }
        let big = String(repeating: "b", count: 60_000)
        for _ in 0..<40 { _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message(big)) }
        let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
        try await outbox.flush()
        uploader.cancel()
        let logs = try await logObjects(store.inner, roomID: fixture.roomID)
        let counts = logs.map { $0.bytes.split(separator: 0x0A).count }
        #expect(counts.reduce(0, +) == 1_240)
        #expect(counts.allSatisfy { $0 <= 500 }, "\(counts)")
        #expect(logs.allSatisfy { $0.bytes.count <= 1 << 20 })
        #expect(counts.filter { $0 == 500 }.count == 2, "a backlog goes out in full files: \(counts)")
        #expect(logs.count <= 6, "1,240 events in \(logs.count) files")
    }

    @Test func fixedIntervalWaitsItsInterval() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        let outbox = try fixture.outbox()
        let uploader = Task { await Uploader(outbox: outbox, store: store, policy: .fixed(.seconds(2))).run() }
        defer { uploader.cancel() }
        let sent = ContinuousClock.now
        async let a = outbox.send(type: "m.room.message", content: EngineFixture.message("a"))
        async let b = outbox.send(type: "m.room.message", content: EngineFixture.message("b"))
        _ = try await (a, b)
        try await outbox.flush()
        let puts = await store.puts
        #expect(puts.count == 1, "both events share the interval's one file")
        // A lower bound only: a loaded machine can make it late, never early.
        #expect(try #require(puts.first).at - sent >= .milliseconds(1950), "nothing goes out before the interval")
    }

    @Test func dueTimesFollowSection9() {
        let t0 = ContinuousClock.now
        let standard = UploadPolicy.standard
        #expect(standard.due(firstEvent: t0, lastStart: nil) == t0 + .milliseconds(50), "after idle: the linger only")
        #expect(standard.due(firstEvent: t0, lastStart: t0 - .seconds(5)) == t0 + .milliseconds(50))
        #expect(standard.due(firstEvent: t0, lastStart: t0 - .milliseconds(300)) == t0 + .milliseconds(700), "under load: a second after the last start")
        #expect(UploadPolicy.fixed(.seconds(5)).due(firstEvent: t0, lastStart: nil) == t0 + .seconds(5))
        #expect(standard.maxEvents == 500 && standard.maxBytes == 1 << 20)
    }

    @Test func conflictingObjectIsSurfacedAndTheBatchKept() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = MemoryStore()
        let instant: Int64 = 1_767_225_600_000
        let outbox = try fixture.outbox(now: { instant })
        // Someone else's object under exactly the name our first batch will get.
        let name = LogObjectName(roomID: fixture.roomID, startTs: instant, endTs: instant, clientID: fixture.clientID)
        _ = await store.putIfAbsent(try ObjectKey(name.key), Data("{\"other\":true}\n".utf8))
        _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("mine"))
        let uploader = Task { await Uploader(outbox: outbox, store: store, policy: UploadPolicy(retryCap: .milliseconds(100))).run() }
        defer { uploader.cancel() }
        do {
            try await outbox.flush()
            Issue.record("flush must fail when the store holds a different object under our name")
        } catch {
            #expect(error.code == .conflict)
            #expect(error.message.contains(name.key))
        }
        let status = await outbox.status
        #expect(status.pendingEvents == 1)
        #expect(status.lastError?.contains(name.key) == true)
        #expect(await outbox.oldestBatch()?.name == name, "the batch is kept, not dropped")
        #expect(try await store.get(ObjectKey(name.key)) == Data("{\"other\":true}\n".utf8), "never overwritten")
    }

    @Test func transientFailuresAreRetriedUntilTheyPass() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        await store.failNext(4, with: .serverError)
        let outbox = try fixture.outbox()
        let uploader = Task { await Uploader(outbox: outbox, store: store, policy: UploadPolicy(retryBase: .milliseconds(20), retryCap: .milliseconds(100))).run() }
        defer { uploader.cancel() }
        _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("a"))
        try await outbox.flush()
        // Every failure was retried (none is left), and the one success is the only object.
        // The error itself is only visible between failures, too briefly to catch on a loaded machine.
        #expect(await store.failuresLeft == 0)
        #expect(await store.puts.count == 1)
        #expect(await outbox.status.lastError == nil, "a success clears the error")
    }

    @Test func refusalFailsFlushFast() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let store = RecordingStore()
        await store.failNext(Int.max, with: .accessDenied)
        let outbox = try fixture.outbox()
        let uploader = Task { await Uploader(outbox: outbox, store: store).run() }
        defer { uploader.cancel() }
        _ = try await outbox.send(type: "m.room.message", content: EngineFixture.message("a"))
        await #expect(throws: EngineError.self) { try await outbox.flush() }
        #expect(await outbox.status.refusal?.code == .storeRefused)
    }

    @Test func retryDelaysUseFullJitterUnderTheCap() {
        let policy = UploadPolicy(retryBase: .milliseconds(100), retryCap: .seconds(2))
        let delays = (0..<200).map { _ in policy.retryDelay(attempt: 40) }
        #expect(delays.allSatisfy { $0 <= .seconds(2) && $0 >= .zero })
        #expect(Set(delays).count > 50, "jitter spreads the retries")
        #expect((0..<50).allSatisfy { _ in policy.retryDelay(attempt: 1) <= .milliseconds(100) })
    }
}
