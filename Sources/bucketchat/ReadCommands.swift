import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation

/// Prints events as timeline lines or JSON.
struct EventPrinter {
    let json: Bool

    func print(_ event: VerifiedEvent, late: Bool, state: RoomState) {
        if json {
            var object = event.event.json
            if late { object["_late"] = .bool(true) }
            if let opened = state.epochs.opened[event.event.eventID] {
                object["_decrypted"] = .object(JSONObject([("type", .string(opened.type)), ("content", .object(opened.content.json))]))
            }
            Output.json(.object(object))
        } else if let line = TimelineLine.render(event, late: late, displayName: state.members[event.event.senderID]?.displayName,
                                                 redacted: state.isRedacted(event.event.eventID), epochs: state.epochs) {
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a room's verified timeline.",
        discussion: """
            One line per event: TIME, REF, SENDER, KIND and TEXT separated by tabs (docs/timeline-format.md). \
            With --json, one verified event per line exactly as stored.
            """
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Option(help: ArgumentHelp("Only events at or after this time: ISO 8601 (2025-09-14T12:00:00Z) or an age such as 30m, 2h, 7d.", valueName: "time"))
    var since: String?
    @Option(help: "Only the last N events.") var limit: Int?
    @Flag(help: "One JSON event per line.") var json = false
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let sinceMs = try since.map(Log.parseSince)
        let client = try await Client.load(storeOptions)
        let sync = try await client.read(room, trust: trust)
        let verification = await sync.verification
        var events = verification.accepted.filter { sinceMs == nil || $0.event.timestampMs >= sinceMs ?? 0 }
        if json { events = events.filter { if case .typing = $0.event.content { return false } else { return true } } }
        if let limit { events = Array(events.suffix(max(0, limit))) }
        let printer = EventPrinter(json: json)
        for event in events { printer.print(event, late: false, state: verification.state) }
        if let problem = Log.unverifiable(verification) {
            Output.warn(problem)
            if verification.accepted.isEmpty {
                fflush(nil)
                throw ExitCode(1)
            }
        }
    }

    /// What to tell the user when events could not be checked for want of a
    /// key (a legacy room read without trusted keys); nil when none.
    static func unverifiable(_ verification: RoomVerification) -> String? {
        let unknown = verification.rejected.filter { $0.reason == .unknownKey }
        guard !unknown.isEmpty else { return nil }
        let room = verification.roomID
        let all = verification.accepted.isEmpty ? "none of its events is shown: all \(unknown.count)" : "\(unknown.count) of its events"
        return "room \(room) declares no keys (a legacy room, made by another client): \(all) could not be verified, since no key is trusted for their senders. Trust each sender's key with `bucketchat keys trust SENDER_ID BASE64_KEY --room \(room)` (ask the sender for it), or pass --trusted-keys FILE ({\"sender_id\": \"base64 key\"}); `bucketchat verify --room \(room)` lists the events."
    }

    static func parseSince(_ text: String) throws -> Int64 {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let unit = text.last, let amount = Int64(text.dropLast()) {
            let factor: Int64? = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000][unit]
            if let factor { return now - amount * factor }
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) {
            return Int64(date.timeIntervalSince1970 * 1000)
        }
        throw CLIError("--since takes an ISO 8601 time (2025-09-14T12:00:00Z) or an age (30m, 2h, 7d), not \"\(text)\"")
    }
}

struct Follow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a room's timeline as it grows, like tail -f; Ctrl-C stops.",
        discussion: "Rejected events and integrity alarms go to stderr."
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Option(help: "History lines to print first.") var lines = 10
    @Flag(help: "One JSON event per line.") var json = false
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        let sync = try await client.read(room, trust: trust, refresh: false)
        let printer = EventPrinter(json: json)
        var first = true
        while !Task.isCancelled {
            let updates: SyncDelivery
            do {
                updates = try await sync.sync()
            } catch {
                Output.warn("sync of \(sync.roomID) failed: \(error.message); retrying")
                updates = await sync.loadCache()
            }
            let verification = await sync.verification
            let state = verification.state
            var events: [(VerifiedEvent, Bool)] = []
            for update in updates {
                switch update {
                case .event(let event, let late): events.append((event, late))
                case .rejected(let r):
                    if !first { Output.warn("rejected \(r.reason.rawValue) in \(r.objectKey):\(r.line ?? 0): \(TimelineLine.escape(r.detail))") }
                case .alarm(let a): Output.warn("ALARM \(a.kind.rawValue): \(TimelineLine.escape(a.detail))")
                case .stateChanged: break
                }
            }
            if first {
                events = events.filter { if case .typing = $0.0.event.content { return false } else { return true } }
                events = Array(events.suffix(max(0, lines)))
                first = false
                if let problem = Log.unverifiable(verification) { Output.warn(problem) }
            }
            for (event, late) in events { printer.print(event, late: late, state: state) }
            fflush(nil)
            try await Task.sleep(for: await sync.currentInterval)
        }
    }
}

struct Members: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a room's members: sender id, membership, display name, number of keys."
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Flag(help: "One JSON object per member.") var json = false
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        let verification = await (try await client.read(room, trust: trust)).verification
        let state = verification.state
        // In a legacy room every key is one the user trusts locally: the room declares none.
        let local = verification.metadata?.isLegacy ?? false
        for (id, member) in state.members.sorted(by: { $0.key < $1.key }) {
            let trustedLocally = local && !member.keys.isEmpty
            if json {
                Output.json(.object(JSONObject([
                    ("sender_id", .string(id)), ("membership", .string(member.membership.rawValue)),
                    ("displayname", member.displayName.map { .string($0) } ?? .null),
                    ("keys", .array(member.keys.map { .string($0.base64) })),
                    ("admin", .bool(state.isAdmin(id))), ("trusted_locally", .bool(trustedLocally)),
                ])))
            } else {
                let marks = (state.isAdmin(id) ? "\tadmin" : "") + (trustedLocally ? "\ttrusted locally" : "")
                print("\(TimelineLine.escape(id))\t\(member.membership.rawValue)\t\(TimelineLine.escape(member.displayName ?? "-"))\t\(member.keys.count) key(s)\(marks)")
            }
        }
    }
}

struct Flush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload everything journaled on this device, and wait until it is in the store."
    )

    @Argument(help: "Rooms to flush, by id or name (default: every room this device has written to).") var rooms: [String] = []
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        if let owner = RoomHostClient.find(stateFolder: client.stateFolder) {
            // A mount of this identity owns the journals: it uploads them.
            var ids: [JSONValue] = []
            for room in rooms { ids.append(.string(try await client.resolve(room).roomID)) }
            let answer = try owner.request(JSONObject([("op", "flush"), ("rooms", rooms.isEmpty ? .null : .array(ids)), ("wait_ms", .null)]))
            for case .object(let status) in answer["rooms"]?.arrayValue ?? [] where status["uploaded"]?.boolValue != true {
                Output.warn("room \(status["room"]?.stringValue ?? "?"): \(status["pending"]?.intValue ?? 0) event(s) not uploaded by the mount\(status["last_error"]?.stringValue.map { " (last error: \($0))" } ?? "")")
            }
            return
        }
        for room in rooms.isEmpty ? client.writtenRooms : rooms {
            let session: RoomSession
            do {
                session = try await client.open(room, refresh: false)
            } catch let error as CLIError where rooms.isEmpty {
                // A journal of a room this store does not hold (made for another
                // store, or a room whose metadata is gone): uploading it here would
                // scatter the room, so its events stay journaled.
                Output.warn("not flushing room \(room): \(error.message)")
                continue
            }
            let room = session.roomID
            if session.hasPendingMetadataFile(stateFolder: client.stateFolder) {
                // Its events must not reach the store before its metadata does.
                await session.stopUploading()
                throw EngineError(.storeUnavailable, "room \(room) was created on this device and its metadata cannot be put in \(client.location) yet; its events wait in the journal. Run `bucketchat flush` again once the store can be reached.")
            }
            let before = await session.outbox.status.pendingEvents
            do {
                try await session.outbox.flush()
            } catch {
                guard error.code == .storeRefused else { throw error }
                await session.stopUploading()
                throw EngineError(.storeRefused, "no write permission: \(client.location) refused the upload of room \(room); its \(before) event(s) stay in this device's journal. Once the credentials may s3:PutObject, run `bucketchat flush` again. \(error.message)")
            }
            if before > 0 { print("\(room): uploaded \(before) event(s)") }
            await session.stopUploading()
        }
    }
}
