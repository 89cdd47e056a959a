import Testing
@testable import ChatProtocol

@Suite struct RoomVectorTests {
    let now: Int64 = 1_757_851_300_000

    @Test func vectorRoomGivesExactlyTheExpectedResult() throws {
        guard case .object(let expected) = try Fixtures.json("room/expected.json") else {
            Issue.record("expected.json is not an object"); return
        }
        let result = RoomVerifier(nowMs: now).verify(roomID: "room_vectors01", objects: try Fixtures.roomObjects())

        func strings(_ key: String) -> [String] { expected[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }

        #expect(result.accepted.map(\.event.eventID) == strings("accepted_event_ids_in_order"))
        var rejected: [String: String] = [:]
        for r in result.rejected { rejected[r.eventID ?? "null"] = r.reason.rawValue }
        let expectedRejected = (expected["rejected"]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? "") }
        #expect(rejected == Dictionary(uniqueKeysWithValues: expectedRejected))
        #expect(result.skippedKeys == strings("skipped_keys"))
        #expect(result.alarms.isEmpty, "chain_alarms: \(result.alarms)")
        #expect(strings("chain_alarms").isEmpty)

        let members = (expected["final_members"]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? "") }
        #expect(result.state.membership.mapValues(\.rawValue) == Dictionary(uniqueKeysWithValues: members))
        #expect(result.state.invitedNeverJoined == strings("invited_never_joined"))

        let trusted = (expected["trusted_keys"]?.objectValue?.members ?? []).map { m in
            (m.key, m.value.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        #expect(result.state.trustedKeys.mapValues { $0.map(\.base64) } == Dictionary(uniqueKeysWithValues: trusted))
        #expect(result.state.name == expected["room_name"]?.stringValue)

        let edits = (expected["edits"]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? "") }
        #expect(result.state.edits == Dictionary(uniqueKeysWithValues: edits))
        #expect(result.state.redacted == strings("redacted"))

        var reactions: [String: [String: [String]]] = [:]
        for target in expected["reactions"]?.objectValue?.members ?? [] {
            for reaction in target.value.objectValue?.members ?? [] {
                reactions[target.key, default: [:]][reaction.key] = reaction.value.arrayValue?.compactMap(\.stringValue)
            }
        }
        #expect(result.state.reactions == reactions)

        var threads: [String: [String]] = [:]
        for parent in expected["thread_children"]?.objectValue?.members ?? [] {
            threads[parent.key] = parent.value.arrayValue?.compactMap(\.stringValue)
        }
        #expect(result.state.threadChildren == threads)

        for id in strings("typing_events_are_not_timeline_lines") {
            let event = try #require(result.accepted.first { $0.event.eventID == id })
            #expect(event.event.type == EventType.typing)
        }
        let welcome = try #require(expected["welcome_event"]?.stringValue)
        let welcomeEvent = try #require(result.accepted.first { $0.event.eventID == welcome })
        guard case .message(let m) = welcomeEvent.event.content else { Issue.record("welcome is not a message"); return }
        #expect(m.body == "welcome!")
    }

    @Test func vectorRoomIsAnIntegrityProblemOnlyBecauseOfTheForgery() throws {
        let result = RoomVerifier(nowMs: now).verify(roomID: "room_vectors01", objects: try Fixtures.roomObjects())
        #expect(result.hasIntegrityProblem)
        let problems = result.rejected.filter { $0.reason.isIntegrityProblem }
        #expect(problems.map(\.reason) == [.badSignature])
        #expect(problems.first?.objectKey.hasSuffix("mallory_e5.jsonl") == true)
    }

    @Test func typingCountsForFifteenSeconds() throws {
        let result = RoomVerifier(nowMs: now).verify(roomID: "room_vectors01", objects: try Fixtures.roomObjects())
        #expect(result.state.typing(nowMs: 1_757_851_202_020 + 15_000) == ["user:alice"])
        #expect(result.state.typing(nowMs: 1_757_851_202_020 + 15_001) == [])
    }

    @Test func verificationIsIndependentOfObjectOrder() throws {
        let objects = try Fixtures.roomObjects()
        let a = RoomVerifier(nowMs: now).verify(roomID: "room_vectors01", objects: objects)
        let b = RoomVerifier(nowMs: now).verify(roomID: "room_vectors01", objects: objects.reversed())
        #expect(a.accepted.map(\.event.eventID) == b.accepted.map(\.event.eventID))
        #expect(a.rejected == b.rejected)
        #expect(a.state.membership == b.state.membership)
    }
}
