import Foundation
import ObjectStore

/// Streams a download's body into an ``ObjectSink``, refusing more than
/// `maxBytes`: the one adapter S3 and GCS downloads share.
///
/// Used from the transfer thread only while the transfer runs, and read by
/// the store after it ends (the continuation's resumption orders the two).
/// A transfer cut off midway is resumed with ``resumeRange`` into the same
/// receiver, which checks the server continued at the right byte.
public final class SinkReceiver: HTTPBodyReceiver, @unchecked Sendable {
    private let sink: any ObjectSink
    private let maxBytes: Int64
    private let tooLarge: @Sendable (Int64?) -> StoreError
    /// Bytes passed to the sink so far.
    public private(set) var count: Int64 = 0
    /// Why the transfer stopped early: the sink's error, or `.tooLarge`.
    public private(set) var failure: StoreError?

    /// `tooLarge` builds the store's error, given the size when known.
    public init(sink: any ObjectSink, maxBytes: Int64, tooLarge: @escaping @Sendable (Int64?) -> StoreError) {
        self.sink = sink
        self.maxBytes = maxBytes
        self.tooLarge = tooLarge
    }

    /// The `Range` header that asks for the rest of the object after a
    /// transfer was cut off (nil before any byte arrived).
    public var resumeRange: (name: String, value: String)? {
        count > 0 ? (name: "Range", value: "bytes=\(count)-") : nil
    }

    public func start(headers: [(name: String, value: String)]) -> Bool {
        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
        if count > 0 {
            // A resumed transfer must continue exactly where the sink stopped:
            // a server that ignored the Range and sent the object from its
            // start would otherwise be appended to what the sink has.
            guard let range = header("content-range"), range.hasPrefix("bytes \(count)-") else {
                failure = StoreError(.badResponse, "The server did not resume the download at byte \(count) (Content-Range: \(header("content-range") ?? "none")). Download it again.")
                return false
            }
        }
        // Refused before a byte reaches the sink when the size is announced.
        if let length = header("content-length").flatMap({ Int64($0) }), count + length > maxBytes {
            failure = tooLarge(count + length)
            return false
        }
        return true
    }

    /// Whether a failed transfer is worth resuming from `count`: cut off by
    /// the network after some bytes, not stopped by this receiver.
    public func canResume(after error: StoreError) -> Bool {
        guard failure == nil, count > 0, error.code == .unreachable, let cause = error.cause as? TransportFailure else { return false }
        return !cause.stoppedByReceiver && !cause.isTLS
    }

    public func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let room = maxBytes - count
        let take = Int(min(Int64(bytes.count), max(room, 0)))
        if take > 0 {
            do throws(StoreError) {
                try sink.receive(UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            } catch {
                failure = error
                return false
            }
            count += Int64(take)
        }
        if take < bytes.count {
            failure = tooLarge(nil)
            return false
        }
        return true
    }
}
