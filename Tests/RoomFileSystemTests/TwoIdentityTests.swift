import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing
@testable import RoomFileSystem

/// Two identities, each with its own filesystem, on one store.
@Suite(.serialized) struct TwoIdentityTests {
    @Test func inviteDiscoverJoinAndChatBothWays() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = MemoryStore()
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        try await alice.mkdir("/plans")
        let room = try await alice.onlyRoom()
        try await alice.write("/plans/ctl", "invite user:bob\n")
        try await alice.settle()
        await bob.fs.discover()
        #expect(try await bob.ls("/").contains(room), "an invited room appears")
        try await bob.write("/\(room)/ctl", "join\n")
        try await bob.write("/\(room)/send", "hi alice\n")
        try await bob.settle()
        try await alice.settle()
        #expect(try await alice.read("/\(room)/timeline").contains("user:bob (Bob)\tmsg\thi alice"))
        try await alice.write("/\(room)/send", "hi bob\n")
        try await alice.settle()
        await bob.fs.syncNow()
        #expect(try await bob.read("/\(room)/timeline").contains("user:alice (Alice)\tmsg\thi bob"))
        #expect(try await alice.read("/\(room)/members") == (try await bob.read("/\(room)/members")))
        let members = try await bob.read("/\(room)/members")
        #expect(members == "user:alice\tjoin\tAlice\t1 key(s)\tadmin\nuser:bob\tjoin\tBob\t1 key(s)\n")
        await bob.fs.discover()
        #expect(try await bob.ls("/").filter { $0.hasPrefix("room_") } == [room])
    }

    /// Discovery lists the room folders and the objects of rooms not mounted,
    /// never every object of the rooms already mounted: in a busy room those
    /// grow by a hundred a second, and the room's own sync follows them.
    @Test func discoveryListsRoomFoldersNotTheObjectsOfMountedRooms() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = ListingRecorder(inner: MemoryStore())
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        try await alice.mkdir("/plans")
        let room = try await alice.onlyRoom()
        try await alice.write("/plans/ctl", "invite user:bob\n")
        try await alice.settle()
        await store.forget()
        await bob.fs.discover()
        #expect(try await bob.ls("/").contains(room), "an invited room appears")
        #expect(await store.folderListings == ["rooms/"])
        #expect(await store.listings.allSatisfy { $0 == "rooms/\(room)/" }, "only the room not mounted yet is listed")
        await store.forget()
        await bob.fs.discover()
        await alice.fs.discover()
        #expect(await store.folderListings == ["rooms/", "rooms/"])
        #expect(await store.listings.isEmpty, "a mounted room is left to its sync")
    }

    @Test func aTamperedObjectShowsInAlertsNeverAsAMessage() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let folder = scratch.url.appendingPathComponent("store")
        let store = LocalFolderStore(root: folder.path)
        let alice = try await MountedIdentity("alice", store: store, root: scratch.url)
        let bob = try await MountedIdentity("bob", store: store, root: scratch.url)
        try await alice.mkdir("/open")
        try await alice.write("/open/ctl", "invite user:bob\n")
        try await alice.write("/open/send", "pay 10 EUR to bob\n")
        try await alice.settle()
        let room = try await alice.onlyRoom()
        // Forge: copy a log of alice's with the amount changed, under another client's name.
        let logs = try FileManager.default.subpathsOfDirectory(atPath: folder.appendingPathComponent("rooms/\(room)/logs").path)
            .filter { $0.hasSuffix(".jsonl") }
        let original = try #require(logs.first { (try? String(contentsOf: folder.appendingPathComponent("rooms/\(room)/logs/\($0)"), encoding: .utf8))?.contains("pay 10 EUR") == true })
        let text = try String(contentsOf: folder.appendingPathComponent("rooms/\(room)/logs/\(original)"), encoding: .utf8)
        let forged = original.replacingOccurrences(of: "alice_dev", with: "mallory_dev")
        try text.replacingOccurrences(of: "pay 10 EUR", with: "pay 99 EUR").write(to: folder.appendingPathComponent("rooms/\(room)/logs/\(forged)"), atomically: true, encoding: .utf8)
        await bob.fs.discover()
        await bob.fs.syncNow()
        let timeline = try await bob.read("/\(room)/timeline")
        #expect(timeline.contains("pay 10 EUR") && !timeline.contains("pay 99 EUR"))
        let alerts = try await bob.read("/\(room)/alerts")
        #expect(alerts.contains("rejected\tbad_signature") || alerts.contains("duplicate_conflict"), "\(alerts)")
        #expect(alerts.contains(forged))
        #expect(try await bob.read("/\(room)/state").contains("\"integrity_ok\":false"))
    }
}
