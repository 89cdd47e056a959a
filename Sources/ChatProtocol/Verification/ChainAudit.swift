/// Per-key hash chain checks (PROTOCOL.md §3): exactly one start, every link
/// names an event of the same key (else gap), no two events name the same
/// predecessor (else fork).
struct ChainAudit {
    struct Node {
        let eventID: String
        let senderID: String
        let hash: String
        let prev: String?
        /// The key that verified the event; nil when none did.
        let signer: PublicKey?
        let timestampMs: Int64
    }

    /// What the audit found, and what a ``RoomLedger`` needs to extend chains
    /// later without auditing again.
    struct Outcome: Sendable {
        var alarms: [Alarm] = []
        /// The newest verified event of each key.
        var tips: [PublicKey: ChainTip] = [:]
        /// Predecessor hashes a gap alarm reported missing.
        var missingPrevs: Set<ExactString> = []
        /// Legacy rooms: keys of more than one event, none naming a predecessor
        /// (the reference client never fills `prev_event_hash`). They are
        /// reported as a warning, not as a fork per event; ordered by key.
        var unchained: [(senderID: String, key: PublicKey, events: Int)] = []
    }

    /// Whether a key's events, in timeline order, form one plain chain: the
    /// first starts it, each later one names the one before it and comes
    /// strictly later. Such a chain has no gap and no fork, and its events'
    /// hashes are distinct from every other node's (each event is verified
    /// once, duplicates merged), so the general audit would find nothing.
    private static func isLine(_ members: [Int], _ nodes: [Node]) -> Bool {
        guard let first = members.first, nodes[first].prev == nil else { return false }
        var previous = first
        for i in members.dropFirst() {
            guard let prev = nodes[i].prev, prev.hasSameBytes(as: nodes[previous].hash),
                  nodes[previous].timestampMs < nodes[i].timestampMs
            else { return false }
            previous = i
        }
        return true
    }

    /// Chain findings over deduplicated lines and the keys that verified them
    /// (found ahead of authorisation): the chain of every key that verified an
    /// event. Events no key verifies still raise a gap when their predecessor is
    /// missing: withholding a sender's join would otherwise turn the rest of
    /// their chain into mere unauthorised attempts.
    /// - Parameter shortcuts: whether a key whose events form one plain chain
    ///   skips the general search (off only in tests, which compare the two).
    /// - Parameter legacy: whether the room is a legacy one, where a key whose
    ///   events all start a chain is `unchained` rather than forked.
    static func findings(_ lines: [RoomVerifier.CheckedLine], legacy: Bool = false, shortcuts: Bool = true) -> Outcome {
        var nodes: [Node] = []
        var unverified: [Node] = []
        nodes.reserveCapacity(lines.count)
        for entry in lines {
            let event = entry.line.event
            let node = Node(eventID: event.eventID, senderID: event.senderID, hash: entry.hash,
                            prev: event.prevEventHash, signer: entry.signer, timestampMs: event.timestampMs)
            if entry.signer != nil { nodes.append(node) } else { unverified.append(node) }
        }
        return findings(nodes, unverified: unverified, legacy: legacy, shortcuts: shortcuts)
    }

    /// Every gap and fork among the verified nodes, in a deterministic order,
    /// then a gap for each unverified node whose predecessor is not there at all.
    static func findings(_ nodes: [Node], unverified: [Node] = [], legacy: Bool = false, shortcuts: Bool = true) -> Outcome {
        var byKey: [PublicKey: [Int]] = [:]
        for (i, node) in nodes.enumerated() {
            if let signer = node.signer { byKey[signer, default: []].append(i) }
        }
        // Every hash, for chains that are not a plain line and for unverified
        // nodes; most rooms need it for neither.
        var table: [ExactString: Int]?
        func byHash() -> [ExactString: Int] {
            if let table { return table }
            var made: [ExactString: Int] = [:]
            made.reserveCapacity(nodes.count)
            for (i, node) in nodes.enumerated() { made[ExactString(node.hash)] = i }
            table = made
            return made
        }

        var findings: [Alarm] = []
        var outcome = Outcome()
        let orderedKeys = byKey.keys.sorted { $0.base64 < $1.base64 }
        for key in orderedKeys {
            guard let indices = byKey[key] else { continue }
            var keyed = indices.map { (timestampMs: nodes[$0].timestampMs, node: $0) }
            keyed.sort { a, b in
                a.timestampMs != b.timestampMs ? a.timestampMs < b.timestampMs : nodes[a.node].eventID.precedesInBytes(nodes[b.node].eventID)
            }
            let members = keyed.map(\.node)
            if shortcuts, isLine(members, nodes) {
                // One start, each later event naming the one before it, time going
                // forward: nothing to report, and the tip has no successor.
                if let last = members.last {
                    outcome.tips[key] = ChainTip(hash: ExactString(nodes[last].hash), timestampMs: nodes[last].timestampMs, linked: false)
                }
                continue
            }
            // A legacy writer that never chains starts again with every event:
            // that is no equivocation, only a room without deletion detection.
            // A key with any link is audited as in every room.
            if legacy, members.count > 1, members.allSatisfy({ nodes[$0].prev == nil }) {
                outcome.unchained.append((nodes[members[0]].senderID, key, members.count))
                continue
            }
            let byHash = byHash()
            let starts = members.filter { nodes[$0].prev == nil }
            if starts.isEmpty, let first = members.first {
                let node = nodes[first]
                findings.append(Alarm(kind: .gap, senderID: node.senderID, eventID: node.eventID,
                    detail: "no first event for key \(key): the start of this device's chain is missing (deleted or withheld)"))
            }
            for extra in starts.dropFirst() {
                let node = nodes[extra]
                findings.append(Alarm(kind: .fork, senderID: node.senderID, eventID: node.eventID,
                    detail: "key \(key) starts its chain more than once: equivocation, or one key on two live devices"))
            }
            var successors: [ExactString: [Int]] = [:]
            for i in members {
                let node = nodes[i]
                guard let prev = node.prev else { continue }
                guard let p = byHash[ExactString(prev)], nodes[p].signer == key else {
                    outcome.missingPrevs.insert(ExactString(prev))
                    findings.append(Alarm(kind: .gap, senderID: node.senderID, eventID: node.eventID,
                        detail: "prev_event_hash \(prev) names no event of key \(key): an earlier event of this device was deleted or withheld"))
                    continue
                }
                // A device's timestamps strictly increase (PROTOCOL.md §2). A link
                // back in time is how a stolen, since revoked key would slip an
                // event in before the revoking join while extending the old
                // chain's tip, which makes no other alarm.
                if nodes[p].timestampMs >= node.timestampMs {
                    findings.append(Alarm(kind: .fork, senderID: node.senderID, eventID: node.eventID,
                        detail: "\(node.eventID) follows \(nodes[p].eventID) in the chain of key \(key) but is not later than it: a device's timestamps only increase, so this event was not written by that device in order (a stolen key?)"))
                }
                successors[ExactString(prev), default: []].append(i)
            }
            if let last = members.last {
                let tip = ExactString(nodes[last].hash)
                outcome.tips[key] = ChainTip(hash: tip, timestampMs: nodes[last].timestampMs, linked: successors[tip] != nil)
            }
            for i in members {
                guard let children = successors[ExactString(nodes[i].hash)], children.count > 1 else { continue }
                for child in children.dropFirst() {
                    let node = nodes[child]
                    findings.append(Alarm(kind: .fork, senderID: node.senderID, eventID: node.eventID,
                        detail: "\(node.eventID) and \(nodes[children[0]].eventID) both follow \(nodes[i].eventID) in the chain of key \(key): equivocation, or one key on two live devices"))
                }
            }
        }
        guard !unverified.isEmpty else {
            outcome.alarms = findings
            return outcome
        }
        let byHash = byHash()
        let unverifiedHashes = Set(unverified.map { ExactString($0.hash) })
        for node in unverified.sorted(by: { ($0.timestampMs, $0.eventID) < ($1.timestampMs, $1.eventID) }) {
            guard let prev = node.prev, byHash[ExactString(prev)] == nil, !unverifiedHashes.contains(ExactString(prev)) else { continue }
            outcome.missingPrevs.insert(ExactString(prev))
            findings.append(Alarm(kind: .gap, senderID: node.senderID, eventID: node.eventID,
                detail: "no key verifies this event and its prev_event_hash \(prev) names no event of the room: an earlier event of \(node.senderID), perhaps their join, was deleted or withheld"))
        }
        outcome.alarms = findings
        return outcome
    }
}
