import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// The per-room streams of views every face watches.
@Suite struct RoomHostViewTests {
    let base = RoomHostTests()

    /// Message bodies a view delivers.
    func bodies(_ view: RoomView) -> [String] {
        view.updates.compactMap { update in
            guard case .event(let e, _) = update, case .message(let m) = e.event.content else { return nil }
            return m.body
        }
    }

    @Test func aLateWatcherGetsTheHistoryFirstThenEachSyncOnce() async throws {
        let state = try base.temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = MemoryStore()
        let host = try base.host("alice", seed: 1, store: store, state: state)
        await host.start(background: false) { _ in }
        let room = try await host.create(name: "Views")
        _ = try await room.act(.send(MessageContent(body: "one")))
        await host.syncNow()
        try await host.flushAll()
        await host.syncNow()

        // Watching after the room loaded: the first view holds what is known so far.
        let early = await host.views(of: room.roomID)
        var iterator = early.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(bodies(first) == ["one"])
        #expect(first.metadata?.name == "Views")

        // A second watcher, and a new message: both see it once, in the next view.
        let second = await host.views(of: room.roomID)
        var other = second.makeAsyncIterator()
        #expect(bodies(try #require(await other.next())) == ["one"])
        _ = try await room.act(.send(MessageContent(body: "two")))
        try await host.flushAll()
        var seen: [String] = []
        while !seen.contains("two") {
            await host.syncNow()
            seen += bodies(try #require(await iterator.next()))
        }
        #expect(seen == ["two"])
        var seenByOther: [String] = []
        while !seenByOther.contains("two") { seenByOther += bodies(try #require(await other.next())) }
        #expect(seenByOther == ["two"])

        // Stopping the host ends every stream.
        await host.stop(flushTimeout: .seconds(1))
        while await iterator.next() != nil {}
        while await other.next() != nil {}
    }

    @Test func aWatcherOfARoomNotLoadedYetGetsItsHistoryFromTheFirstSync() async throws {
        let state = try base.temporary()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = MemoryStore()
        let roomID = try await sendAndStop(store: store, state: state)

        let again = try base.host("alice", seed: 1, store: store, state: state)
        await again.start(background: false) { _ in }
        #expect(await again.roomIDs == [roomID])
        let views = await again.views(of: roomID)
        var iterator = views.makeAsyncIterator()
        await again.syncNow()
        let first = try #require(await iterator.next())
        #expect(bodies(first) == ["hello"])
        await again.stop(flushTimeout: .seconds(1))
    }

    /// A host creates a room and sends one message, then stops and lets go of the room.
    func sendAndStop(store: MemoryStore, state: String) async throws -> String {
        let alice = try base.host("alice", seed: 1, store: store, state: state)
        await alice.start(background: false) { _ in }
        let room = try await alice.create(name: "Later")
        _ = try await room.act(.send(MessageContent(body: "hello")))
        await alice.syncNow()
        try await alice.flushAll()
        await alice.stop(flushTimeout: .seconds(1))
        return room.roomID
    }
}
