import Foundation
import ObjectStore
import S3Store
import Testing

@Suite struct AWSSettingsTests {
    static func files(credentials: String, config: String) throws -> [String: String] {
        let folder = NSTemporaryDirectory() + "bucketchat-aws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try credentials.write(toFile: folder + "/credentials", atomically: true, encoding: .utf8)
        try config.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
        return ["AWS_SHARED_CREDENTIALS_FILE": folder + "/credentials", "AWS_CONFIG_FILE": folder + "/config", "HOME": folder]
    }

    static let credentialsFile = """
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        # a comment
        [work]
        aws_access_key_id=AKIAWORK
        aws_secret_access_key=work-secret
        aws_session_token = work-token
        """
    static let configFile = """
        [default]
        region = eu-west-1
        [profile work]
        region = ap-south-1
        endpoint_url = https://minio.example.test:9000
        s3 =
          addressing_style = path
        [profile only-config]
        aws_access_key_id = AKIACONFIG
        aws_secret_access_key = config-secret
        """

    @Test func environmentVariablesComeFirst() throws {
        var env = try Self.files(credentials: Self.credentialsFile, config: Self.configFile)
        env["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        env["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        env["AWS_SESSION_TOKEN"] = "env-token"
        env["AWS_REGION"] = "us-west-2"
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9000"
        let settings = try AWSSettings.resolve(environment: env, bucket: "b")
        #expect(settings.credentials == AWSCredentials(accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
        #expect(settings.region == "us-west-2")
        #expect(settings.endpoint == "http://127.0.0.1:9000")
        env["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9001"
        #expect(try AWSSettings.resolve(environment: env, bucket: "b").endpoint == "http://127.0.0.1:9001")
        #expect(try AWSSettings.resolve(environment: env, endpoint: "http://flag:1", bucket: "b").endpoint == "http://flag:1")
    }

    @Test func defaultProfileFromFiles() throws {
        let env = try Self.files(credentials: Self.credentialsFile, config: Self.configFile)
        let settings = try AWSSettings.resolve(environment: env, bucket: "b")
        #expect(settings.credentials == AWSCredentials(accessKeyId: "AKIADEFAULT", secretAccessKey: "default-secret"))
        #expect(settings.region == "eu-west-1")
        #expect(settings.endpoint == nil)
    }

    @Test func namedProfileWinsOverEnvironmentKeys() throws {
        var env = try Self.files(credentials: Self.credentialsFile, config: Self.configFile)
        env["AWS_PROFILE"] = "work"
        env["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        env["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        let settings = try AWSSettings.resolve(environment: env, bucket: "b")
        #expect(settings.credentials == AWSCredentials(accessKeyId: "AKIAWORK", secretAccessKey: "work-secret", sessionToken: "work-token"))
        #expect(settings.region == "ap-south-1")
        #expect(settings.endpoint == "https://minio.example.test:9000")
        env["AWS_PROFILE"] = "only-config"
        #expect(try AWSSettings.resolve(environment: env, bucket: "b").credentials.accessKeyId == "AKIACONFIG")
    }

    @Test func missingCredentialsSayWhatToSet() throws {
        let env = try Self.files(credentials: "", config: "")
        do {
            _ = try AWSSettings.resolve(environment: env, bucket: "chat-bucket")
            Issue.record("found credentials in empty files")
        } catch {
            #expect(error.code == .missingCredentials)
            #expect(error.message.contains("s3://chat-bucket"))
            #expect(error.message.contains("AWS_ACCESS_KEY_ID"))
        }
    }

    @Test func customEndpointsUsePathStyle() throws {
        let custom = S3Configuration(bucket: "chat", settings: AWSSettings(credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), region: "us-east-1", endpoint: "http://127.0.0.1:9000/"))
        #expect(custom.pathStyle)
        #expect(custom.endpoint == "http://127.0.0.1:9000")
        let aws = S3Configuration(bucket: "chat", settings: AWSSettings(credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), region: "eu-west-1", endpoint: nil))
        #expect(!aws.pathStyle)
        let dotted = S3Configuration(bucket: "chat.example.com", settings: AWSSettings(credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), region: "eu-west-1", endpoint: nil))
        #expect(dotted.pathStyle)
    }
}
