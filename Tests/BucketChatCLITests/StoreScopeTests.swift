import Foundation
import Testing

/// An identity's journals, rooms created here and pins are kept per store: a
/// room of one store never appears in, nor is written to, another; state an
/// earlier version kept for all stores at once moves to the store that holds it.
@Suite struct StoreScopeTests {
    struct Setup {
        let root: URL
        let a: URL
        let b: URL
        let alice: ChatFlowTests.Person
        var home: URL { root.appendingPathComponent("alice") }
    }

    func setup() throws -> Setup {
        let root = try CLIRunner.temporaryDirectory()
        let a = root.appendingPathComponent("store-a"), b = root.appendingPathComponent("store-b")
        for store in [a, b] { try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true) }
        let alice = ChatFlowTests().person("alice", root: root, store: a.path)
        _ = try alice.ok(["init", "--name", "alice"])
        return Setup(root: root, a: a, b: b, alice: alice)
    }

    @Test func aRoomOfOneStoreNeverReachesAnother() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let room = try s.alice.ok(["room", "create", "Plans", "--wait"])
        _ = try s.alice.ok(["send", room, "on A", "--wait"])

        #expect(try s.alice.ok(["room", "list", "--store", s.b.path]) == "", "store B holds no room")
        let send = try s.alice.run(["send", room, "into B?", "--store", s.b.path])
        #expect(send.status == 2, "\(send.stderr)")
        _ = try s.alice.ok(["flush", "--store", s.b.path])
        #expect(GuardRailTests.tree(s.b).isEmpty, "nothing was written to store B: \(GuardRailTests.tree(s.b).keys.sorted())")

        _ = try s.alice.ok(["send", room, "on A again", "--wait"])
        let verify = try s.alice.run(["verify", s.a.path, "--room", room])
        #expect(verify.status == 0, "no gap, no fork in A: \(verify.stdout)")
        #expect(try s.alice.ok(["log", room]).contains("on A again"))
        let stores = try FileManager.default.contentsOfDirectory(atPath: s.home.appendingPathComponent("stores").path)
        #expect(stores.count == 1 && stores[0].contains("store-a-"), "state for A only; B was only read: \(stores)")
    }

    @Test func stateOfAnEarlierVersionMovesToTheStoreThatHoldsTheRoom() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let room = try s.alice.ok(["room", "create", "Plans", "--wait"])
        _ = try s.alice.ok(["send", room, "before the upgrade", "--wait"])
        // Lay the state out as earlier versions did: one folder for every store.
        let fm = FileManager.default
        let stores = s.home.appendingPathComponent("stores")
        let scoped = stores.appendingPathComponent(try #require(try fm.contentsOfDirectory(atPath: stores.path).first))
        for folder in ["journal", "creator-keys"] {
            try fm.moveItem(at: scoped.appendingPathComponent(folder), to: s.home.appendingPathComponent(folder))
        }
        try fm.removeItem(at: stores)

        // A store that does not hold the room leaves its state where it is.
        _ = try s.alice.ok(["room", "list", "--store", s.b.path])
        #expect(fm.fileExists(atPath: s.home.appendingPathComponent("journal/\(room)").path))

        let moved = try s.alice.run(["send", room, "after the upgrade", "--wait"])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stderr.contains("moved the journals of 1 room(s)"), "\(moved.stderr)")
        #expect(!fm.fileExists(atPath: s.home.appendingPathComponent("journal").path))
        #expect(!fm.fileExists(atPath: s.home.appendingPathComponent("creator-keys").path))
        #expect(fm.fileExists(atPath: scoped.appendingPathComponent("journal/\(room)").path))
        #expect(fm.fileExists(atPath: scoped.appendingPathComponent("creator-keys/\(room)").path))
        let verify = try s.alice.run(["verify", s.a.path, "--room", room])
        #expect(verify.status == 0, "the chain goes on from the moved journal: \(verify.stdout)")
        let log = try s.alice.ok(["log", room])
        #expect(log.contains("before the upgrade") && log.contains("after the upgrade"))
        #expect(try s.alice.ok(["room", "list"]) == "\(room)\tPlans\t(joined here)")
    }
}
