extension RoomVerification {
    /// The report as one JSON object: what `bucketchat verify --json` prints.
    ///
    /// `accepted` lists event ids in timeline order; `rejected` entries carry
    /// `event_id` (or null), `object_key`, `line` (or null), `reason` and
    /// `detail`; `alarms` carry `kind`, `sender_id`, `event_id`, `detail`.
    public func reportJSON(nowMs: Int64) -> JSONValue {
        func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let state = self.state
        var object = JSONObject([
            ("room_id", .string(roomID)),
            ("legacy", .bool(metadata?.isLegacy ?? false)),
            ("integrity_ok", .bool(!hasIntegrityProblem)),
            ("accepted", .array(accepted.map { .string($0.event.eventID) })),
            ("rejected", .array(rejected.map { r in
                .object(JSONObject([
                    ("event_id", optional(r.eventID)), ("object_key", .string(r.objectKey)),
                    ("line", r.line.map { .int(Int64($0)) } ?? .null), ("reason", .string(r.reason.rawValue)),
                    ("detail", .string(r.detail)),
                ]))
            })),
            ("alarms", .array(alarms.map { a in
                .object(JSONObject([
                    ("kind", .string(a.kind.rawValue)), ("sender_id", optional(a.senderID)),
                    ("event_id", optional(a.eventID)), ("detail", .string(a.detail)),
                ]))
            })),
            ("warnings", .array(warnings.map { w in
                .object(JSONObject([("kind", .string(w.kind)), ("object_key", optional(w.objectKey)), ("detail", .string(w.detail))]))
            })),
            ("members", .object(JSONObject(state.membership.map { ($0.key, .string($0.value.rawValue)) }))),
            ("skipped_keys", .array(skippedKeys.map { .string($0) })),
            ("name", optional(state.name)),
            ("topic", optional(state.topic)),
            ("admins", .array(state.admins.map { .string($0) })),
            ("trusted_keys", .object(JSONObject(state.trustedKeys.map { ($0.key, .array($0.value.map { .string($0.base64) })) }))),
            ("invited_never_joined", .array(state.invitedNeverJoined.map { .string($0) })),
            ("edits", .object(JSONObject(state.edits.map { ($0.key, .string($0.value)) }))),
            ("redacted", .array(state.redacted.map { .string($0) })),
            ("reactions", .object(JSONObject(state.reactions.map { target in
                (target.key, .object(JSONObject(target.value.map { ($0.key, .array($0.value.map { .string($0) })) })))
            }))),
            ("thread_children", .object(JSONObject(state.threadChildren.map { ($0.key, .array($0.value.map { .string($0) })) }))),
            ("typing", .array(state.typing(nowMs: nowMs).map { .string($0) })),
        ])
        object["creator"] = optional(metadata?.creator)
        return .object(object)
    }
}
