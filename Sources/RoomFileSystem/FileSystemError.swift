#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChatEngine

/// Why a filesystem operation failed: a code the kernel understands and a
/// message for the daemon log and `alerts` that names the path and says what
/// to do. ``errno`` is the one place codes become POSIX errors.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case notFound, notDirectory, isDirectory, exists
        /// The structure is fixed: rooms are never deleted or renamed.
        case notPermitted
        /// The file is not open for that (reading `send`, writing `timeline`).
        case accessDenied
        /// A malformed `ctl` line, an unknown REF, an empty message.
        case invalid
        /// A message over the 64 KiB line limit.
        case messageTooLong
        /// A `send` or `ctl` line that is not valid UTF-8.
        case illegalByteSequence
        /// A path component over 255 bytes, or a room name over 200.
        case nameTooLong
        /// Another process holds the room's journal.
        case busy
        /// A signal ended a blocking read of `follow` or an `fsync`.
        case interrupted
        /// The journal could not be written; a shared file's bytes are not the ones its event names.
        case io
        /// A shared file over the size limit (writing or fetching it).
        case fileTooLarge
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The POSIX error the kernel hands to the caller.
    public var errno: Int32 {
        switch code {
        case .notFound: ENOENT
        case .notDirectory: ENOTDIR
        case .isDirectory: EISDIR
        case .exists: EEXIST
        case .notPermitted: EPERM
        case .accessDenied: EACCES
        case .invalid: EINVAL
        case .messageTooLong: EMSGSIZE
        case .illegalByteSequence: EILSEQ
        case .nameTooLong: ENAMETOOLONG
        case .busy: EBUSY
        case .interrupted: EINTR
        case .io: EIO
        case .fileTooLarge: EFBIG
        }
    }

    /// An engine failure while acting on a room, seen from a file: the
    /// room's rules forbid it (EPERM), a reference or argument is wrong
    /// (EINVAL), the journal failed (EIO).
    init(_ error: EngineError, path: String) {
        let code: Code
        switch error.code {
        case .forbidden: code = .notPermitted
        case .notFound, .ambiguous, .invalidEvent: code = .invalid
        case .busy: code = .busy
        case .cancelled: code = .interrupted
        case .fileTooLarge: code = .messageTooLong
        case .journalIO, .journalCorrupt, .journalFailed, .conflict, .storeRefused, .storeUnavailable,
             .fileIO, .attachmentMismatch, .attachmentMissing: code = .io
        }
        self.init(code, "\(path): \(error.message)")
    }
}
