import Foundation

extension StoreLocation {
    /// Parses a store URL or path. Relative paths resolve against
    /// `currentDirectory`.
    public init(parsing text: String, currentDirectory: String = FileManager.default.currentDirectoryPath) throws(StoreError) {
        func reject(_ why: String) -> StoreError {
            StoreError(.invalidLocation, "The store location \"\(text)\" is not usable: \(why). Give a folder path, file:///path, s3://bucket/prefix or gs://bucket/prefix.")
        }
        if text.isEmpty { throw reject("it is empty") }
        if text.unicodeScalars.contains(where: { ObjectKey.isControl($0) }) { throw reject("it contains a control character") }

        if let schemeEnd = text.range(of: "://") {
            let scheme = text[..<schemeEnd.lowerBound].lowercased()
            let rest = String(text[schemeEnd.upperBound...])
            switch scheme {
            case "file":
                guard rest.hasPrefix("/") else { throw reject("a file URL needs an absolute path (file:///path)") }
                let path = rest.removingPercentEncoding ?? rest
                self = .folder(path: StoreLocation.normalisedPath(path))
            case "s3", "gs":
                let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                let bucket = String(parts.first ?? "")
                try StoreLocation.validateBucket(bucket, original: text)
                var prefix = parts.count > 1 ? String(parts[1]) : ""
                if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
                if !prefix.isEmpty {
                    do { try ObjectKey.validatePrefix(prefix) } catch { throw reject("its prefix is invalid (\(error.message))") }
                }
                self = scheme == "s3" ? .s3(bucket: bucket, prefix: prefix) : .gcs(bucket: bucket, prefix: prefix)
            default:
                throw reject("the scheme \"\(scheme)\" is not supported")
            }
            return
        }
        let absolute = text.hasPrefix("/") ? text : currentDirectory + "/" + text
        self = .folder(path: StoreLocation.normalisedPath(absolute))
    }

    /// Bucket names as both S3 and GCS accept them: 3–63 lowercase letters,
    /// digits, `-`, `.` and `_` (GCS), starting and ending alphanumeric.
    static func validateBucket(_ bucket: String, original: String) throws(StoreError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
        let valid = (3...63).contains(bucket.count)
            && bucket.allSatisfy { allowed.contains($0) }
            && (bucket.first.map { $0.isLetter || $0.isNumber } ?? false)
            && (bucket.last.map { $0.isLetter || $0.isNumber } ?? false)
        if !valid {
            throw StoreError(.invalidLocation, "The bucket name \"\(bucket)\" in \"\(original)\" is not valid: use 3 to 63 lowercase letters, digits, '-', '.' or '_', starting and ending with a letter or digit.")
        }
    }

    static func normalisedPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
