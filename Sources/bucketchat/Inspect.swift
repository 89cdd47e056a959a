import ArgumentParser
import ChatEngine
import ChatProtocol
import Foundation
import ObjectStore

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show everything known about one event: where it is stored, its hash, signature and key, its place in the device's chain, and what the rules made of it.",
        discussion: "REF is what a timeline line shows (or a unique prefix, or the full id); events the verifier rejected can be inspected too. For debugging and for reports of a forged or missing event."
    )

    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The event: its REF, a unique prefix, or its full id.") var ref: String
    @Flag(help: "Print one JSON object (the stored line under \"stored\").") var json = false
    @OptionGroup var trust: TrustOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let client = try await Client.load(storeOptions)
        let sync = try await client.read(room, trust: trust)
        let verification = await sync.verification
        let ids = verification.accepted.map(\.event.eventID) + verification.rejected.compactMap(\.eventID)
        let id = try EventReference.resolve(ref, among: ids, roomID: sync.roomID)
        let trusted = try client.trustedKeys(sync.roomID, files: trust.files)
        guard let inspection = EventInspection(eventID: id, in: verification, locallyTrusted: trusted) else {
            throw CLIError("no event \(ref) in room \(sync.roomID)")
        }
        let stored = await storedLine(inspection, store: client.store)
        if json {
            var object = inspection.json
            object["stored"] = stored.map { .string($0) } ?? .null
            Output.json(.object(object))
            return
        }
        var lines = ["event \(inspection.eventID) (\(EventReference.short(inspection.eventID)))"]
        lines.append("  stored in \(inspection.objectKey)\(inspection.line.map { ", line \($0)" } ?? " (the whole object)")")
        if let stored { lines.append("  line: \(Terminal.safe(stored))") }
        if let sender = inspection.senderID, let type = inspection.type, let ts = inspection.timestampMs {
            lines.append("  \(type) by \(Terminal.safe(sender)) at \(UTCTime(milliseconds: ts).iso8601)")
        }
        if let hash = inspection.eventHash { lines.append("  event_hash (SHA-256 of the canonical bytes, base64): \(hash)") }
        if let signer = inspection.signer {
            lines.append("  signature: valid, by \(signer) — \(inspection.keyStanding ?? "")")
        } else if inspection.rejection == nil {
            lines.append("  signature: not checked (a legacy room read without a trusted key for this sender)")
        }
        if inspection.rejection == nil {
            lines.append("  device chain: after \(inspection.predecessor ?? "nothing (first of its chain)"), before \(inspection.successor ?? "nothing yet")")
        }
        if !inspection.marks.isEmpty { lines.append("  chain alarms: \(inspection.marks.joined(separator: ", "))") }
        lines.append("  decision: \(Terminal.safe(inspection.decision))")
        print(lines.joined(separator: "\n"))
    }

    /// The event's line as stored, read again from the store; nil when it cannot be read.
    func storedLine(_ inspection: EventInspection, store: any ObjectStore) async -> String? {
        guard let line = inspection.line, let key = try? ObjectKey(inspection.objectKey),
              let bytes = try? await store.bytes(key) else { return nil }
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        return String(decoding: lines[line - 1], as: UTF8.self)
    }
}
