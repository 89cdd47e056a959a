import CloudHTTP
import Foundation
import GCSStore
import ObjectStore
import S3Store
import Testing

/// Retries, MinIO's 304 and the service-account token exchange, against a
/// scripted loopback server.
@Suite struct RetryAndEdgeCaseTests {
    static let quick = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))

    @Test func retriesServerErrorsAndTooManyRequests() async throws {
        let server = try ScriptedServer([.init(status: 503), .init(status: 429), .init(status: 200, body: "ok")])
        let response = try await HTTPClient(retry: Self.quick).send(HTTPRequest(method: "GET", url: server.endpoint + "/x"), what: "testing")
        #expect(response.status == 200)
        #expect(response.attempts == 3)
        #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        #expect(try server.requests().count == 3)
    }

    @Test func doesNotRetryClientErrors() async throws {
        let server = try ScriptedServer([.init(status: 404), .init(status: 200)])
        let response = try await HTTPClient(retry: Self.quick).send(HTTPRequest(method: "GET", url: server.endpoint + "/x"), what: "testing")
        #expect(response.status == 404)
        #expect(response.attempts == 1)
        #expect(try server.requests().count == 1)
    }

    @Test func persistentServerErrorsBecomeAServerError() async throws {
        let server = try ScriptedServer([.init(status: 500, body: "<Error><Code>InternalError</Code></Error>")])
        let store = TestServers.s3Store(bucket: "chat-bucket", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"),
                                        endpoint: server.endpoint, retry: Self.quick)
        do {
            _ = try await store.get(try ObjectKey("rooms/r/metadata.json"))
            Issue.record("a failing server gave an object")
        } catch {
            #expect(error.code == .serverError)
            #expect(error.message.contains("3 tries"))
            #expect(error.message.contains("rooms/r/metadata.json"))
        }
        #expect(try server.requests().count == 3)
    }

    @Test func clockTooFarFromTheServersIsNamedNotCalledAPolicyProblem() async throws {
        let body = "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message>"
            + "<RequestTime>20260101T000000Z</RequestTime><ServerTime>2026-01-01T00:20:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>"
        let server = try ScriptedServer([.init(status: 403, body: body)])
        let store = TestServers.s3Store(bucket: "chat-bucket", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"),
                                        endpoint: server.endpoint, retry: Self.quick)
        do {
            _ = try await store.putIfAbsent(try ObjectKey("rooms/r/metadata.json"), Data("{}".utf8))
            Issue.record("a refused put succeeded")
        } catch {
            #expect(error.code == .accessDenied)
            #expect(error.message.contains("clock"), "\(error.message)")
            #expect(error.message.contains("2026-01-01T00:20:00Z"), "the server's time, to compare")
            #expect(!error.message.contains("policy"), "not a permissions problem")
        }
    }

    @Test func notModifiedFromMinIOMeansTakenThenCompared() async throws {
        // Some MinIO versions answer a failed If-None-Match PUT with 304.
        let server = try ScriptedServer([.init(status: 304), .init(status: 200, body: "theirs")])
        let store = TestServers.s3Store(bucket: "chat-bucket", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"),
                                        endpoint: server.endpoint, retry: Self.quick)
        let outcome = try await store.putIfAbsent(try ObjectKey("k"), Data("ours".utf8))
        #expect(outcome == .alreadyExists(sameBytes: false))
        let requests = try server.requests()
        #expect(requests.map(\.method) == ["PUT", "GET"])
        #expect(requests.first?.headers["if-none-match"] == "*")
        #expect(requests.first?.path == "/chat-bucket/k")
        #expect(requests.first?.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=a/") == true)
    }

    @Test func serviceAccountTokenIsExchangedOnceAndSent() async throws {
        let server = try ScriptedServer([
            .init(status: 200, body: #"{"access_token":"tok-1","expires_in":3600,"token_type":"Bearer"}"#),
            .init(status: 200, body: #"{"items":[{"name":"p/a","size":"3","etag":"e1"}]}"#),
        ])
        let folder = NSTemporaryDirectory() + "bucketchat-sa-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try run("/usr/bin/env", ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", folder + "/key.pem"])
        let keyJSON: [String: String] = [
            "type": "service_account", "client_email": "chat@p.iam.gserviceaccount.com",
            "private_key": try String(contentsOfFile: folder + "/key.pem", encoding: .utf8),
            "token_uri": server.endpoint + "/token",
        ]
        try JSONSerialization.data(withJSONObject: keyJSON).write(to: URL(fileURLWithPath: folder + "/sa.json"))

        let credentials = try GCSCredentials.resolve(environment: ["GOOGLE_APPLICATION_CREDENTIALS": folder + "/sa.json"], bucket: "chat")
        let store = GCSStore(GCSConfiguration(bucket: "chat", prefix: "p/", endpoint: server.endpoint, credentials: credentials,
                                              client: HTTPClient(retry: Self.quick)))
        #expect(try await store.list(prefix: "").map(\.key) == ["a"])
        #expect(try await store.list(prefix: "").map(\.size) == [3])

        let requests = try server.requests()
        #expect(requests.map(\.method) == ["POST", "GET", "GET"], "the token is cached, not fetched per request")
        let form = requests.first?.body ?? ""
        #expect(form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"))
        #expect(form.contains("assertion=ey"))
        #expect(requests.dropFirst().allSatisfy { $0.headers["authorization"] == "Bearer tok-1" })
        #expect(requests.dropFirst().first?.path.hasPrefix("/storage/v1/b/chat/o?prefix=p%2F") == true)
    }

    @Test func emulatorNeedsNoCredentialsAndMissingOnesAreExplained() throws {
        let emulator = try GCSConfiguration.fromEnvironment(bucket: "chat", environment: ["STORAGE_EMULATOR_HOST": "127.0.0.1:4443"])
        #expect(emulator.endpoint == "http://127.0.0.1:4443")
        if case .none = emulator.credentials {} else { Issue.record("emulator should need no credentials") }
        if case .accessToken(let token) = try GCSCredentials.resolve(environment: ["GOOGLE_OAUTH_ACCESS_TOKEN": "t"], bucket: "chat") {
            #expect(token == "t")
        } else {
            Issue.record("GOOGLE_OAUTH_ACCESS_TOKEN ignored")
        }
        do {
            _ = try GCSCredentials.resolve(environment: [:], bucket: "chat")
            Issue.record("found credentials in an empty environment")
        } catch {
            #expect(error.code == .missingCredentials)
            #expect(error.message.contains("gs://chat"))
            #expect(error.message.contains("GOOGLE_APPLICATION_CREDENTIALS"))
        }
    }
}
