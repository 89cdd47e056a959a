import ChatEngine

/// What an open file handle refers to, and what it carries between calls
/// (kept by the filesystem; ``OpenResult`` is what `open` tells the caller).
struct OpenFile {
    enum Content {
        /// Content fixed at open (`members`, `state`, `me`, `typing` read).
        case snapshot([UInt8])
        case timeline(room: String)
        case thread(room: String, parent: String)
        case events(room: String)
        case alerts(room: String)
        /// Reads from `position` and block at the end.
        case follow(room: String, position: Int)
        /// Lines written become messages; `partial` holds an unfinished line.
        case send(room: String, parent: String?, partial: [UInt8])
        case ctl(room: String, partial: [UInt8])
        case typing(room: String)
        /// A shared file's verified bytes on local disk (the cache or the
        /// blob area), read with `pread` on this descriptor, closed at release.
        case sharedFile(room: String, fd: Int32, size: Int)
        /// A file written into `files/`: bytes go to `writer`; nil once it
        /// was shared at close (or failed), when later writes are refused.
        case newFile(room: String, name: String, writer: BlobWriter?)
    }

    let path: String
    var content: Content
    /// Set when a line was refused: the rest of that line is dropped.
    var discardingLine = false
}
