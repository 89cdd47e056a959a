import Foundation
import ObjectStore

/// Streams a download's body into an ``ObjectSink``, refusing more than
/// `maxBytes`: the one adapter S3 and GCS downloads share.
///
/// Used from the transfer thread only while the transfer runs, and read by
/// the store after it ends (the continuation's resumption orders the two).
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

    public func start(headers: [(name: String, value: String)]) -> Bool {
        // Refused before a byte reaches the sink when the size is announced.
        if let length = headers.first(where: { $0.name == "content-length" }).flatMap({ Int64($0.value) }), length > maxBytes {
            failure = tooLarge(length)
            return false
        }
        return true
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
