import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore
import Testing

/// `RoomSession.act` is the one path every face's actions take: each action
/// gives the content the profile's §6 and §7 describe, with optional members
/// left out.
@Suite struct RoomActionTests {
    @Test func everyActionSignsTheContentItNames() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-actions-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let alice = DeviceIdentity(senderID: "user:alice", clientID: "alice_d1", key: try SigningKey(seed: [UInt8](repeating: 1, count: 32)))
        let bob = try SigningKey(seed: [UInt8](repeating: 2, count: 32)).publicKey
        let second = try SigningKey(seed: [UInt8](repeating: 3, count: 32)).publicKey
        let third = try SigningKey(seed: [UInt8](repeating: 4, count: 32)).publicKey
        let session = try await RoomSession.create(name: "Actions", displayName: "Alice", identity: alice, store: MemoryStore(), stateFolder: state)

        let join = await session.outbox.pendingEvents.first
        #expect(join?.type == EventType.member)
        #expect(join?.contentObject == JSONObject([("membership", "join"), ("public_key", .string(alice.key.publicKey.base64)),
                                                   ("device_id", "alice_d1"), ("displayname", "Alice")]))

        let hello = try await session.act(.send(MessageContent(body: "waves", msgtype: "m.emote")))
        #expect(hello.type == EventType.message && hello.parentEventID == nil)
        #expect(hello.contentObject == JSONObject([("body", "waves"), ("msgtype", "m.emote")]))
        let ref = EventReference.short(hello.eventID)

        let reply = try await session.act(.send(MessageContent(body: "re"), replyTo: ref))
        #expect(reply.parentEventID == hello.eventID)
        #expect(reply.contentObject == JSONObject([("body", "re"), ("msgtype", "m.text")]))

        let expectations: [(RoomAction, String, JSONObject)] = [
            (.react(reference: ref, reaction: "👍"), EventType.reaction,
             JSONObject([("relates_to", .string(hello.eventID)), ("reaction", "👍")])),
            (.edit(reference: ref, body: "waves again"), EventType.edit,
             JSONObject([("replaces", .string(hello.eventID)), ("new_content", ["body": "waves again", "msgtype": "m.text"])])),
            (.redact(reference: EventReference.short(reply.eventID), reason: nil), EventType.redaction,
             JSONObject([("redacts", .string(reply.eventID))])),
            (.redact(reference: ref, reason: "typo"), EventType.redaction,
             JSONObject([("redacts", .string(hello.eventID)), ("reason", "typo")])),
            (.invite(userID: "user:bob", key: bob, displayName: "Bob"), EventType.member,
             JSONObject([("membership", "invite"), ("user_id", "user:bob"), ("public_key", .string(bob.base64)), ("displayname", "Bob")])),
            (.invite(userID: "user:carol", key: nil), EventType.member,
             JSONObject([("membership", "invite"), ("user_id", "user:carol")])),
            (.kick(userID: "user:carol", reason: "wrong room"), EventType.member,
             JSONObject([("membership", "kick"), ("user_id", "user:carol"), ("reason", "wrong room")])),
            (.ban(userID: "user:eve", reason: nil), EventType.member,
             JSONObject([("membership", "ban"), ("user_id", "user:eve")])),
            (.setName("Plans"), EventType.name, JSONObject([("name", "Plans")])),
            (.setTopic("Q3"), EventType.topic, JSONObject([("topic", "Q3")])),
            (.typing(true), EventType.typing, JSONObject([("typing", true)])),
            (.addKey(second, deviceID: "alice_d2", revoking: []), EventType.member,
             JSONObject([("membership", "join"), ("public_key", .string(second.base64)), ("device_id", "alice_d2")])),
            (.addKey(third, deviceID: nil, revoking: [second]), EventType.member,
             JSONObject([("membership", "join"), ("public_key", .string(third.base64)), ("revoke", [.string(second.base64)])])),
            (.leave, EventType.member, JSONObject([("membership", "leave")])),
        ]
        for (action, type, content) in expectations {
            let event = try await session.act(action)
            #expect(event.type == type, "\(action)")
            #expect(event.contentObject == content, "\(action)")
        }
    }

    @Test func anEmptyMessageIsRefusedBeforeItsReplyTargetIsLookedUp() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("bucketchat-actions-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let alice = DeviceIdentity(senderID: "user:alice", clientID: "alice_d1", key: try SigningKey(seed: [UInt8](repeating: 1, count: 32)))
        let session = try await RoomSession.create(name: "Empty", identity: alice, store: MemoryStore(), stateFolder: state)
        do {
            try await session.act(.send(MessageContent(body: ""), replyTo: "no-such-event"))
            Issue.record("an empty message was sent")
        } catch {
            #expect(error.code == .invalidEvent)
            #expect(error.message.contains("a message needs a non-empty body"))
        }
        #expect(await session.outbox.pendingEvents.count == 1, "only the creator's join was journaled")
    }
}
