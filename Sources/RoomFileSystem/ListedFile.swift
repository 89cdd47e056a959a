/// One shared file as `ROOM/files/` shows it: the name it is listed under
/// and what `stat` and a read need from its `m.file` event.
struct ListedFile: Sendable, Equatable {
    /// The `m.file` event's id (``fetchFile`` is asked for it).
    let eventID: String
    /// The name in `files/`: the file's own name, or with the REF added (``SharedFileList``).
    let name: String
    /// The event's declared size: exact, checked when the bytes are fetched.
    let size: Int64
    /// The event's time, shown as the file's mtime.
    let timestampMs: Int64
    let sha256: String
}
