import Testing
@testable import ChatProtocol

@Suite struct MembershipScenarioTests {
    @Test func invitedMembersTalkAndNothingIsWrong() throws {
        var room = try TestRoom.withMembers()
        let hello = try room.say("bob_b1", "hello")
        let reply = try room.say("carol_c1", "hi bob", parent: hello.eventID)
        try room.flushAll()
        let result = room.verify()
        #expect(result.rejected.isEmpty, "\(result.rejected)")
        #expect(result.alarms.isEmpty, "\(result.alarms)")
        #expect(!result.hasIntegrityProblem)
        #expect(result.accepts(hello) && result.accepts(reply))
        #expect(result.state.threadChildren[hello.eventID] == [reply.eventID])
        #expect(result.state.membership == ["user:alice": .join, "user:bob": .join, "user:carol": .join])
        #expect(result.state.members["user:bob"]?.displayName == "Bob")
    }

    @Test func joinWithoutInviteIsUnauthorizedUnlessPublic() throws {
        var room = try TestRoom()
        room.addDevice("eve_e1", sender: "user:eve", key: TestRoom.key(9))
        let join = try room.join("eve_e1")
        let message = try room.say("eve_e1", "let me in")
        try room.flush("eve_e1")
        let result = room.verify()
        #expect(result.reason(of: join) == .unauthorized)
        #expect(result.reason(of: message) == .unauthorized)
        #expect(!result.hasIntegrityProblem, "unauthorised attempts alone are not an integrity problem")

        var open = try TestRoom(joinRule: .public)
        open.addDevice("eve_e1", sender: "user:eve", key: TestRoom.key(9))
        let openJoin = try open.join("eve_e1")
        try open.flush("eve_e1")
        #expect(open.verify().accepts(openJoin))
    }

    @Test func inviteThatPinsAKeyRefusesAnotherKey() throws {
        var room = try TestRoom()
        try room.member("alice_a1", "invite", target: "user:bob", key: TestRoom.key(2).publicKey)
        try room.flush("alice_a1")
        room.addDevice("bob_x", sender: "user:bob", key: TestRoom.key(7))
        let wrong = try room.join("bob_x")
        try room.flush("bob_x")
        room.addDevice("bob_b1", sender: "user:bob", key: TestRoom.key(2))
        let right = try room.join("bob_b1")
        try room.flush("bob_b1")
        let result = room.verify()
        #expect(result.reason(of: wrong) == .unauthorized)
        #expect(result.accepts(right))
    }

    @Test func kickAndBanNeedAnAdmin() throws {
        var room = try TestRoom.withMembers()
        let kickByBob = try room.member("bob_b1", "kick", target: "user:carol")
        let banByBob = try room.member("bob_b1", "ban", target: "user:carol")
        try room.flush("bob_b1")
        let ban = try room.member("alice_a1", "ban", target: "user:carol")
        let reinvite = try room.member("alice_a1", "invite", target: "user:carol")
        try room.flush("alice_a1")
        let afterBan = try room.say("carol_c1", "still here?")
        let rejoin = try room.join("carol_c1")
        try room.flush("carol_c1")
        let result = room.verify()
        #expect(result.reason(of: kickByBob) == .unauthorized)
        #expect(result.reason(of: banByBob) == .unauthorized)
        #expect(result.accepts(ban))
        #expect(result.reason(of: reinvite) == .unauthorized)
        #expect(result.reason(of: afterBan) == .unauthorized)
        #expect(result.reason(of: rejoin) == .unauthorized)
        #expect(result.state.membership["user:carol"] == .ban)
    }

    @Test func kickedMemberCanRejoinOnlyWhenInvitedAgain() throws {
        var room = try TestRoom.withMembers()
        let kick = try room.member("alice_a1", "kick", target: "user:bob")
        try room.flush("alice_a1")
        let uninvited = try room.join("bob_b1")
        try room.flush("bob_b1")
        try room.member("alice_a1", "invite", target: "user:bob")
        try room.flush("alice_a1")
        let invited = try room.join("bob_b1")
        try room.flush("bob_b1")
        let result = room.verify()
        #expect(result.accepts(kick))
        #expect(result.reason(of: uninvited) == .unauthorized)
        #expect(result.accepts(invited))
        #expect(result.state.membership["user:bob"] == .join)
    }

    @Test func leaveEndsMembership() throws {
        var room = try TestRoom.withMembers()
        let leave = try room.emit("bob_b1", EventType.member, JSONObject([("membership", "leave")]))
        let after = try room.say("bob_b1", "one more thing")
        try room.flush("bob_b1")
        let result = room.verify()
        #expect(result.accepts(leave))
        #expect(result.reason(of: after) == .unauthorized)
        #expect(result.state.membership["user:bob"] == .leave)
    }

    @Test func onlyAdminsNameTheRoom() throws {
        var room = try TestRoom.withMembers()
        let byBob = try room.emit("bob_b1", EventType.name, JSONObject([("name", "Bob's")]))
        try room.flush("bob_b1")
        let byAlice = try room.emit("alice_a1", EventType.topic, JSONObject([("topic", "plans")]))
        try room.flush("alice_a1")
        let result = room.verify()
        #expect(result.reason(of: byBob) == .unauthorized)
        #expect(result.accepts(byAlice))
        #expect(result.state.name == "Test")
        #expect(result.state.topic == "plans")
    }
}

@Suite struct KeyScenarioTests {
    @Test func revokedKeyIsUntrustedAfterRotation() throws {
        var room = try TestRoom.withMembers()
        let before = try room.say("bob_b1", "old key, before rotation")
        let newKey = TestRoom.key(12)
        let rotate = try room.join("bob_b1", key: newKey.publicKey, revoke: [TestRoom.key(2).publicKey])
        let stale = try room.say("bob_b1", "old key, after rotation")
        try room.flush("bob_b1")
        room.addDevice("bob_b2", sender: "user:bob", key: newKey)
        let fresh = try room.say("bob_b2", "new key")
        try room.flush("bob_b2")
        let result = room.verify()
        #expect(result.accepts(before))
        #expect(result.accepts(rotate))
        #expect(result.reason(of: stale) == .badSignature)
        #expect(result.accepts(fresh))
        #expect(result.state.trustedKeys["user:bob"] == [newKey.publicKey])
        #expect(result.state.members["user:bob"]?.revokedKeys == [TestRoom.key(2).publicKey])
    }

    @Test func addedDeviceKeyIsTrustedAlongsideTheFirst() throws {
        var room = try TestRoom.withMembers()
        let second = TestRoom.key(22)
        try room.join("bob_b1", key: second.publicKey)
        try room.flush("bob_b1")
        room.addDevice("bob_b2", sender: "user:bob", key: second)
        let fromSecond = try room.say("bob_b2", "from my laptop")
        let fromFirst = try room.say("bob_b1", "from my phone")
        try room.flushAll()
        let result = room.verify()
        #expect(result.accepts(fromSecond) && result.accepts(fromFirst))
        #expect(result.state.trustedKeys["user:bob"] == [TestRoom.key(2).publicKey, second.publicKey])
        #expect(result.alarms.isEmpty)
    }

    @Test func forgedSenderIsBadSignature() throws {
        var room = try TestRoom.withMembers()
        room.addDevice("mallory", sender: "user:bob", key: TestRoom.key(66))
        let forged = try room.say("mallory", "I am bob")
        try room.flush("mallory")
        let result = room.verify()
        #expect(result.reason(of: forged) == .badSignature)
        #expect(result.hasIntegrityProblem)
    }

    @Test func joinDeclaringAKeyItIsNotSignedWithIsRejected() throws {
        var room = try TestRoom()
        try room.member("alice_a1", "invite", target: "user:bob")
        try room.flush("alice_a1")
        room.addDevice("bob_b1", sender: "user:bob", key: TestRoom.key(2))
        let join = try room.join("bob_b1", key: TestRoom.key(3).publicKey)
        try room.flush("bob_b1")
        #expect(room.verify().reason(of: join) == .badSignature)
    }
}

@Suite struct ContentRuleScenarioTests {
    @Test func redactionNeedsTheSenderOrAnAdmin() throws {
        var room = try TestRoom.withMembers()
        let bobs = try room.say("bob_b1", "bob's words")
        let carols = try room.say("carol_c1", "carol's words")
        try room.flushAll()
        let byCarol = try room.emit("carol_c1", EventType.redaction, JSONObject([("redacts", .string(bobs.eventID))]))
        let byBob = try room.emit("bob_b1", EventType.redaction, JSONObject([("redacts", .string(bobs.eventID))]))
        let byAdmin = try room.emit("alice_a1", EventType.redaction, JSONObject([("redacts", .string(carols.eventID)), ("reason", "spam")]))
        try room.flushAll()
        let result = room.verify()
        #expect(result.reason(of: byCarol) == .unauthorized)
        #expect(result.accepts(byBob) && result.accepts(byAdmin))
        #expect(Set(result.state.redacted) == [bobs.eventID, carols.eventID])
    }

    @Test func editsBelongToTheOriginalSenderAndTheLatestWins() throws {
        var room = try TestRoom.withMembers()
        let original = try room.say("bob_b1", "helo")
        try room.flushAll()
        func edit(_ client: String, _ body: String) throws -> Event {
            try room.emit(client, EventType.edit, JSONObject([("replaces", .string(original.eventID)),
                                                              ("new_content", .object(MessageContent(body: body).json))]))
        }
        let byCarol = try edit("carol_c1", "carol was here")
        let first = try edit("bob_b1", "hello")
        let second = try edit("bob_b1", "hello!")
        try room.flushAll()
        let result = room.verify()
        #expect(result.reason(of: byCarol) == .unauthorized)
        #expect(result.accepts(first) && result.accepts(second))
        #expect(result.state.edits[original.eventID] == "hello!")
    }

    @Test func reactionsAggregateAndRedactingOneUndoesIt() throws {
        var room = try TestRoom.withMembers()
        let message = try room.say("alice_a1", "lunch?")
        try room.flushAll()
        func react(_ client: String, _ r: String) throws -> Event {
            try room.emit(client, EventType.reaction, JSONObject([("relates_to", .string(message.eventID)), ("reaction", .string(r))]))
        }
        _ = try react("bob_b1", "👍")
        let carolThumb = try react("carol_c1", "👍")
        _ = try react("carol_c1", "🍕")
        try room.flushAll()
        try room.emit("carol_c1", EventType.redaction, JSONObject([("redacts", .string(carolThumb.eventID))]))
        try room.flushAll()
        let result = room.verify()
        #expect(result.state.reactions[message.eventID] == ["👍": ["user:bob"], "🍕": ["user:carol"]])
    }

    @Test func referencesMustNameEarlierEventsOfTheRoom() throws {
        var room = try TestRoom.withMembers()
        let ghost = "room_test::20991231T000000.000Z::00000000-0000-4000-8000-000000000000"
        let reply = try room.say("bob_b1", "reply to nothing", parent: ghost)
        let reaction = try room.emit("bob_b1", EventType.reaction, JSONObject([("relates_to", .string(ghost)), ("reaction", "x")]))
        try room.flushAll()
        let result = room.verify()
        #expect(result.reason(of: reply) == .unauthorized)
        #expect(result.reason(of: reaction) == .unauthorized)
    }

    @Test func badContentIsSchema() throws {
        var room = try TestRoom.withMembers()
        let empty = try room.storeUnchecked("bob_b1", type: EventType.message, content: JSONObject([("body", ""), ("msgtype", "m.text")]))
        let badType = try room.storeUnchecked("bob_b1", type: EventType.message, content: JSONObject([("body", "x"), ("msgtype", "m.video")]))
        let unknown = try room.emit("bob_b1", "org.example.poll", JSONObject([("question", "tea?"), ("n", 3)]))
        try room.flushAll()
        let result = room.verify()
        #expect(result.rejected.first { $0.eventID == empty }?.reason == .schema)
        #expect(result.rejected.first { $0.eventID == badType }?.detail.contains("m.video") == true)
        let kept = try #require(result.accepted.first { $0.event.eventID == unknown.eventID })
        #expect(kept.event.contentObject["n"] == .int(3), "unknown types are kept as they were")
    }
}
