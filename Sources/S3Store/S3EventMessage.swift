import Foundation
import ObjectStore

/// What one queue message of S3 event notifications says: the body S3 sends
/// (`{"Records":[…]}`), straight (SNS raw message delivery) or inside SNS's
/// envelope (`{"Type":"Notification","Message":"{…}"}`).
///
/// Keys in S3 events are URL-encoded as in an HTML form (a space is `+`,
/// anything else outside the unreserved set `%XX`), and are decoded here.
public enum S3EventMessage: Equatable, Sendable {
    /// Objects created under the store's prefix, keys relative to it, etags
    /// quoted as a listing reports them.
    case created([ObjectInfo])
    /// A valid message that names nothing to fetch: S3's `s3:TestEvent`, or
    /// events of other kinds.
    case ignored
    /// Not an S3 event of this bucket and prefix, or unreadable.
    case unusable(String)

    public static func parse(_ body: String, bucket: String, storePrefix: String) -> S3EventMessage {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            return .unusable("not JSON")
        }
        if object["Type"] as? String == "Notification", let inner = object["Message"] as? String {
            return parse(inner, bucket: bucket, storePrefix: storePrefix)
        }
        if object["Event"] as? String == "s3:TestEvent" { return .ignored }
        guard let records = object["Records"] as? [[String: Any]] else { return .unusable("no Records") }
        var created: [ObjectInfo] = []
        for record in records {
            guard let name = record["eventName"] as? String else { return .unusable("a record without eventName") }
            guard name.hasPrefix("ObjectCreated:") else { continue }
            guard let s3 = record["s3"] as? [String: Any],
                  let recordBucket = (s3["bucket"] as? [String: Any])?["name"] as? String,
                  let object = s3["object"] as? [String: Any],
                  let encodedKey = object["key"] as? String else { return .unusable("a record without bucket or key") }
            guard recordBucket == bucket else { return .unusable("an event of bucket \(recordBucket)") }
            guard let key = decodeKey(encodedKey) else { return .unusable("a key that does not decode") }
            guard key.hasPrefix(storePrefix), key.count > storePrefix.count else { return .unusable("a key outside \(storePrefix)") }
            let size = (object["size"] as? Int) ?? (object["size"] as? NSNumber)?.intValue ?? 0
            let etag = (object["eTag"] as? String).map { $0.hasPrefix("\"") ? $0 : "\"\($0)\"" } ?? ""
            created.append(ObjectInfo(key: String(key.dropFirst(storePrefix.count)), size: size, etag: etag))
        }
        return created.isEmpty ? .ignored : .created(created)
    }

    /// Undoes S3's form-style encoding of a key in an event.
    public static func decodeKey(_ encoded: String) -> String? {
        encoded.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
