/// What `putIfAbsent` found: the object is ours, or someone's was there first.
public enum PutOutcome: Hashable, Sendable {
    /// This call created the object.
    case created
    /// The key already held an object. `sameBytes` tells whether it equals
    /// ours: true is success for a retried upload whose first try landed;
    /// false is a conflict the caller must surface.
    case alreadyExists(sameBytes: Bool)
}
