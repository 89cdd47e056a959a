import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

/// `bucketchat room`: create, list and describe rooms.
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "Create, list and describe rooms.",
        subcommands: [Create.self, List.self, Info.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a room; prints its room id alone on stdout.")

        @Argument(help: "The room's name.")
        var name: String

        @Option(help: "A description stored in metadata.json.")
        var description = ""

        @Flag(name: .customLong("public"), help: "Anyone may join without an invitation.")
        var isPublic = false

        @Flag(name: .customLong("private"), help: ArgumentHelp(
            "Encrypt the room's messages, reactions, edits and redactions end to end.",
            discussion: "Only member devices can read them; the store sees who talks when, sizes and membership. See docs/private-rooms.md."))
        var isPrivate = false

        @Flag(help: "Wait until the room is uploaded before returning.")
        var wait = false

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let client = try await Client.load(storeOptions)
            let session = try await RoomSession.create(
                name: name, description: description, joinRule: isPublic ? .public : .invite, isPrivate: isPrivate, displayName: client.displayName,
                identity: client.identity, store: client.store, stateFolder: client.stateFolder, cache: client.cache,
                syncSettings: client.syncSettings, policy: client.uploadPolicy, epochPolicy: client.epochPolicy)
            await session.startUploading()
            print(session.roomID)
            if !(try await session.outbox.flush(until: wait ? nil : .now + .seconds(3))) {
                Output.warn("room \(session.roomID) is journaled but not yet uploaded; run `bucketchat flush`")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rooms in the store: id, name, and whether this device writes to it.")

        @Flag(help: "One JSON object per room.")
        var json = false

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let client = try await Client.load(storeOptions)
            let mine = Set(client.writtenRooms)
            // Only rooms with valid metadata (or created here and not uploaded yet):
            // a folder without it is no room anyone can trust.
            for room in try await client.directory.rooms() {
                let id = room.roomID
                if json {
                    Output.json(.object(JSONObject([("room_id", .string(id)), ("name", .string(room.name)), ("mine", .bool(mine.contains(id))),
                                                    ("pending_upload", .bool(room.pendingHere))])))
                } else {
                    let note = room.pendingHere ? "\t(created here, not uploaded yet)" : (mine.contains(id) ? "\t(joined here)" : "")
                    print("\(id)\t\(TimelineLine.escape(room.name))\(note)")
                }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a room's metadata, state, verification and upload status.")

        @Argument(help: "The room: its id or its name.")
        var room: String

        @Flag(help: "Print one JSON object.")
        var json = false

        @OptionGroup var trust: TrustOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let client = try await Client.load(storeOptions)
            let roomID = try await client.resolve(room).roomID
            let verification: RoomVerification
            let pending: [Event]
            let status: UploadStatus?
            if client.writtenRooms.contains(roomID) {
                // Written to here: the journal tells what waits to be uploaded.
                let session = try await client.open(roomID, trustFiles: trust.files)
                (verification, pending) = await session.view()
                status = await session.outbox.status
                await session.stopUploading()
            } else {
                // Read only: opening a journal would make the room look joined.
                verification = await (try await client.read(roomID, trust: trust)).verification
                (pending, status) = ([], nil)
            }
            let state = verification.state
            let object = JSONObject([
                ("room_id", .string(roomID)), ("name", state.name.map { .string($0) } ?? .null),
                ("topic", state.topic.map { .string($0) } ?? .null),
                ("creator", verification.metadata?.creator.map { .string($0) } ?? .null),
                ("legacy", .bool(verification.metadata?.isLegacy ?? false)),
                ("creator_key", verification.metadata?.creatorKey.map { .string($0.base64) } ?? .null),
                ("join_rule", verification.metadata.map { .string($0.joinRule.rawValue) } ?? .null),
                ("admins", .array(state.admins.map { .string($0) })),
                ("members", .int(Int64(state.membership.values.filter { $0 == .join }.count))),
                ("events", .int(Int64(verification.accepted.count))), ("rejected", .int(Int64(verification.rejected.count))),
                ("alarms", .int(Int64(verification.alarms.count))), ("integrity_ok", .bool(!verification.hasIntegrityProblem)),
                ("pending_uploads", .int(Int64(status?.pendingEvents ?? 0))), ("pending_not_synced", .int(Int64(pending.count))),
                ("last_upload", status?.lastUpload.map { .string($0.key) } ?? .null),
                ("last_error", status?.lastError.map { .string($0) } ?? .null),
            ])
            if json {
                Output.json(.object(object))
            } else {
                for member in object.members {
                    let value: String
                    switch member.value {
                    case .string(let s): value = TimelineLine.escape(s)
                    case .int(let i): value = String(i)
                    case .bool(let b): value = String(b)
                    case .array(let a): value = a.compactMap(\.stringValue).map { TimelineLine.escape($0) }.joined(separator: ", ")
                    default: value = "-"
                    }
                    print("\(member.key): \(value)")
                }
            }
            if let problem = Log.unverifiable(verification) { Output.warn(problem) }
        }
    }
}
