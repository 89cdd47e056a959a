import ObjectStore
import Testing

@Suite struct StoreLocationTests {
    @Test func parsesPathsAndURLs() throws {
        #expect(try StoreLocation(parsing: "/srv/chat") == .folder(path: "/srv/chat"))
        #expect(try StoreLocation(parsing: "/srv/chat/../store/") == .folder(path: "/srv/store"))
        #expect(try StoreLocation(parsing: "file:///srv/my%20chat") == .folder(path: "/srv/my chat"))
        #expect(try StoreLocation(parsing: "chat", currentDirectory: "/home/a") == .folder(path: "/home/a/chat"))
        #expect(try StoreLocation(parsing: "s3://my-bucket") == .s3(bucket: "my-bucket", prefix: ""))
        #expect(try StoreLocation(parsing: "s3://my-bucket/") == .s3(bucket: "my-bucket", prefix: ""))
        #expect(try StoreLocation(parsing: "s3://my-bucket/team-a") == .s3(bucket: "my-bucket", prefix: "team-a/"))
        #expect(try StoreLocation(parsing: "gs://chat.example.com/a/b/") == .gcs(bucket: "chat.example.com", prefix: "a/b/"))
        #expect(try StoreLocation(parsing: "S3://my-bucket/x").description == "s3://my-bucket/x/")
    }

    @Test(arguments: ["", "ftp://host/x", "s3://", "s3://AB/x", "s3://a/x", "s3://-bucket/x", "gs://bucket//x", "s3://bucket/../x", "file://relative/path", "/tmp/\u{1}x"])
    func rejectsUnusableLocations(_ text: String) {
        do {
            _ = try StoreLocation(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidLocation)
        }
    }

    @Test func defaultFolderFollowsEnvironment() {
        #expect(StoreLocation.defaultFolderPath(environment: ["HOME": "/home/a"]) == "/home/a/.local/share/bucketchat/store")
        #expect(StoreLocation.defaultFolderPath(environment: ["HOME": "/home/a", "XDG_DATA_HOME": "/data"]) == "/data/bucketchat/store")
        // A relative XDG_DATA_HOME is invalid per the spec and ignored.
        #expect(StoreLocation.defaultFolderPath(environment: ["HOME": "/home/a", "XDG_DATA_HOME": "rel"]) == "/home/a/.local/share/bucketchat/store")
        #expect(StoreLocation.defaultFolderPath(environment: ["HOME": "/home/a", "XDG_DATA_HOME": "/data", "BUCKETCHAT_HOME": "/bc"]) == "/bc/store")
        #expect(StoreLocation.defaultFolder(environment: ["BUCKETCHAT_HOME": "/bc"]) == .folder(path: "/bc/store"))
    }
}
