import Foundation

/// One line of /proc/self/mountinfo: what is mounted at a path.
struct MountEntry {
    /// The filesystem type, e.g. `fuse.bucketchat`, `fuse.sshfs`, `tmpfs`.
    let type: String
    /// What is mounted, e.g. `bucketchat`, `host:/folder`.
    let source: String

    /// Whether it is a bucketchat mount (its fsname and subtype are bucketchat).
    var isBucketChat: Bool { type == "fuse.bucketchat" }

    /// What is mounted exactly at `path`, the last of them if several are
    /// stacked (the one a lookup sees), or nil.
    static func at(_ path: String) -> MountEntry? {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        let escaped = path.replacingOccurrences(of: "\\", with: "\\134").replacingOccurrences(of: " ", with: "\\040")
            .replacingOccurrences(of: "\t", with: "\\011").replacingOccurrences(of: "\n", with: "\\012")
        var found: MountEntry?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTIONS
            guard fields.count > 4, fields[4] == escaped, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { continue }
            found = MountEntry(type: String(fields[dash + 1]), source: String(fields[dash + 2]))
        }
        return found
    }
}
