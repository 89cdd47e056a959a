import ChatEngine
import ChatProtocol

/// A room's `files/` listing, kept up to date as events are delivered (never
/// computed on `readdir`).
///
/// Naming rule (docs/fuse.md): files are named in the order the mount gets
/// their events (timeline order). The first file with a name is listed
/// under it; a later file whose name is already given is listed as
/// `STEM (REF).EXT` (`report (a1b2c3).pdf`; no extension: `notes (a1b2c3)`).
/// A name once given stays given, also when its file is redacted, so no
/// later file ever takes over a name another file was shown under. A name
/// that is not a safe single path component is not listed at all.
struct SharedFileList {
    /// Listed files by their name in `files/`.
    private(set) var byName: [String: ListedFile] = [:]
    /// Listed name by event id.
    private var nameOfEvent: [String: String] = [:]
    /// Every name given so far, redacted files' included.
    private var given: Set<String> = []
    /// Events seen, listed or not, so a delivery after `showUnconfirmed` adds nothing twice.
    private var seen: Set<String> = []

    var count: Int { byName.count }
    var names: [String] { byName.keys.sorted() }

    func file(named name: String) -> ListedFile? { byName[name] }

    /// Adds a shared file's event; a redacted one only takes its name.
    /// Returns the name it is listed under, nil when it is not listed.
    @discardableResult
    mutating func add(eventID: String, file: MessageContent.FileInfo, timestampMs: Int64, redacted: Bool) -> String? {
        guard seen.insert(eventID).inserted, SharedFileList.isSafeName(file.name) else { return nil }
        var name = file.name
        if given.contains(name) {
            name = SharedFileList.suffixed(file.name, reference: EventReference.short(eventID))
            // Only a hostile name can collide with a suffixed one: leave that file out.
            guard !given.contains(name), SharedFileList.isSafeName(name) else { return nil }
        }
        given.insert(name)
        guard !redacted else { return nil }
        byName[name] = ListedFile(eventID: eventID, name: name, size: file.contentSize, timestampMs: timestampMs, sha256: file.sha256)
        nameOfEvent[eventID] = name
        return name
    }

    /// Drops the files whose events are now redacted.
    mutating func removeRedacted(_ isRedacted: (String) -> Bool) {
        for (eventID, name) in nameOfEvent where isRedacted(eventID) {
            nameOfEvent[eventID] = nil
            byName[name] = nil
        }
    }

    /// Whether a name is a taken name (listed now, or given to a redacted file).
    func isGiven(_ name: String) -> Bool { given.contains(name) }

    /// A safe single path component: the protocol's file-name rules (no `/`,
    /// `\`, controls, bidi overrides, `.`/`..`, at most 255 bytes), checked
    /// again here because a listed name becomes a path.
    static func isSafeName(_ name: String) -> Bool {
        MessageContent.FileInfo.nameProblem(name) == nil && !name.unicodeScalars.contains { $0.value == 0 }
    }

    /// `STEM (REF).EXT`: the REF goes before the last extension, so the file
    /// keeps its type; a leading dot (`.bashrc`) is not an extension. The
    /// stem is shortened (by whole characters) to stay within 255 bytes.
    static func suffixed(_ name: String, reference: String) -> String {
        var stem = Substring(name)
        var ext = Substring("")
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            stem = name[..<dot]
            ext = name[dot...]
        }
        let tag = " (\(reference))"
        while !stem.isEmpty, stem.utf8.count + tag.utf8.count + ext.utf8.count > MessageContent.FileInfo.maxNameBytes {
            stem = stem.dropLast()
        }
        return String(stem) + tag + String(ext)
    }
}
