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

        @Flag(help: "Wait until the room is uploaded before returning.")
        var wait = false

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let client = try Client.load(storeOptions)
            let session = try await RoomSession.create(
                name: name, description: description, joinRule: isPublic ? .public : .invite, displayName: client.displayName,
                identity: client.identity, store: client.store, stateFolder: Paths.stateDirectory, cache: client.cache,
                syncSettings: client.syncSettings, policy: client.uploadPolicy)
            await session.startUploading()
            print(session.roomID)
            if !(try await session.settle(within: wait ? nil : .seconds(3))) {
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
            let client = try Client.load(storeOptions)
            let mine = Set(client.journaledRooms)
            let objects = try await client.store.list(prefix: "rooms/")
            for info in objects where info.key.hasSuffix("/metadata.json") {
                guard case .metadata(let roomID)? = RoomObjectKey(key: info.key) else { continue }
                let name = (try? RoomMetadata(bytes: Array(try await client.store.get(ObjectKey(info.key)))))?.name ?? ""
                if json {
                    Output.json(.object(JSONObject([("room_id", .string(roomID)), ("name", .string(name)), ("mine", .bool(mine.contains(roomID)))])))
                } else {
                    print("\(roomID)\t\(TimelineLine.escape(name))\(mine.contains(roomID) ? "\t(joined here)" : "")")
                }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a room's metadata, state, verification and upload status.")

        @Argument(help: "The room id.")
        var room: String

        @Flag(help: "Print one JSON object.")
        var json = false

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let client = try Client.load(storeOptions)
            let session = try await client.open(room)
            let (verification, pending) = await session.view()
            let status = await session.outbox.status
            let state = verification.state
            let object = JSONObject([
                ("room_id", .string(room)), ("name", state.name.map { .string($0) } ?? .null),
                ("topic", state.topic.map { .string($0) } ?? .null),
                ("creator", verification.metadata?.creator.map { .string($0) } ?? .null),
                ("creator_key", verification.metadata?.creatorKey.map { .string($0.base64) } ?? .null),
                ("join_rule", verification.metadata.map { .string($0.joinRule.rawValue) } ?? .null),
                ("admins", .array(state.admins.map { .string($0) })),
                ("members", .int(Int64(state.membership.values.filter { $0 == .join }.count))),
                ("events", .int(Int64(verification.accepted.count))), ("rejected", .int(Int64(verification.rejected.count))),
                ("alarms", .int(Int64(verification.alarms.count))), ("integrity_ok", .bool(!verification.hasIntegrityProblem)),
                ("pending_uploads", .int(Int64(status.pendingEvents))), ("pending_not_synced", .int(Int64(pending.count))),
                ("last_upload", status.lastUpload.map { .string($0.key) } ?? .null),
                ("last_error", status.lastError.map { .string($0) } ?? .null),
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
            await session.stopUploading()
        }
    }
}
