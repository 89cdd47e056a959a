import CloudHTTP
import Foundation
import ObjectStore
@testable import S3Store
import Testing

/// What moto enforces for us: IAM (no delete for the writer), real SigV4
/// checks, and Object Lock; plus interoperation with boto3.
@Suite(.enabled(if: TestServers.s3Endpoint != nil, TestServers.s3Missing))
struct S3WriteOnceModelTests {
    @Test func writerPolicyDeniesDelete() async throws {
        let store = try await TestServers.freshS3Store()
        let key = try ObjectKey("rooms/r/metadata.json")
        #expect(try await store.putIfAbsent(key, Data("meta".utf8)) == .created)
        let response = try await store.send(method: "DELETE", key: key.prefixed(by: store.configuration.prefix), what: "deleting")
        #expect(response.status == 403)
        #expect(S3ErrorBody(response.body).code == "AccessDenied")
        #expect(try await store.get(key) == Data("meta".utf8))
    }

    @Test func wrongSecretIsRejected() async throws {
        let good = try await TestServers.freshS3Store()
        _ = try await good.putIfAbsent(try ObjectKey("x"), Data("x".utf8))
        var credentials = TestServers.writerCredentials
        credentials.secretAccessKey += "-wrong"
        let bad = TestServers.s3Store(bucket: good.configuration.bucket, prefix: good.configuration.prefix, credentials: credentials)
        do {
            _ = try await bad.list(prefix: "")
            Issue.record("a request signed with the wrong secret was accepted")
        } catch {
            #expect(error.code == .accessDenied)
            #expect(error.message.contains("SignatureDoesNotMatch"))
        }
        do {
            _ = try await bad.putIfAbsent(try ObjectKey("y"), Data("y".utf8))
            Issue.record("a PUT signed with the wrong secret was accepted")
        } catch {
            #expect(error.code == .accessDenied)
        }
        #expect(try await good.head(try ObjectKey("y")) == nil)
    }

    @Test func missingBucketSaysSo() async throws {
        let store = TestServers.s3Store(bucket: TestServers.uniqueBucket("none"))
        do {
            _ = try await store.list(prefix: "")
            Issue.record("listed a bucket that does not exist")
        } catch {
            #expect(error.code == .noSuchBucket)
            #expect(error.message.contains(store.configuration.bucket))
        }
    }

    /// Runs a boto3 script with the writer's key; its stdout is returned.
    func boto3(_ script: String, bucket: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = TestServers.writerCredentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = TestServers.writerCredentials.secretAccessKey
        environment["BUCKET"] = bucket
        let prelude = """
            import hashlib, os, sys, boto3
            s3 = boto3.client("s3", endpoint_url=os.environ["BUCKETCHAT_TEST_S3_ENDPOINT"], region_name="us-east-1")
            bucket = os.environ["BUCKET"]

            """
        return try run("/usr/bin/env", ["python3", "-c", prelude + script], environment: environment).output
    }

    @Test func boto3ReadsWhatWeWriteAndWeReadWhatItWrites() async throws {
        let store = try await TestServers.freshS3Store(prefix: "team-a/")
        var ours: [String: Data] = [:]
        for index in 0..<5 {
            let bytes = Data((0..<(1000 + index * 977)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
            ours["rooms/r/logs/2024-05-0\(index)/messages_\(index).jsonl"] = bytes
            #expect(try await store.putIfAbsent(try ObjectKey("rooms/r/logs/2024-05-0\(index)/messages_\(index).jsonl"), bytes) == .created)
        }
        let listing = try boto3("""
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="team-a/")
            for page in pages:
                for obj in page.get("Contents", []):
                    body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                    print(obj["Key"], obj["Size"], hashlib.sha256(body).hexdigest())
            """, bucket: store.configuration.bucket)
        let expected = ours.keys.sorted().map { key in
            "team-a/\(key) \(ours[key]?.count ?? 0) \(Digest.sha256(ours[key] ?? Data()).hexString)"
        }
        #expect(listing.split(separator: "\n").map(String.init) == expected)

        _ = try boto3("""
            s3.put_object(Bucket=bucket, Key="team-a/rooms/r/from-boto3.bin", Body=bytes(range(256)) * 40, IfNoneMatch="*")
            """, bucket: store.configuration.bucket)
        let theirs = try await store.get(try ObjectKey("rooms/r/from-boto3.bin"))
        #expect(theirs == Data(Array(0...255) + Array(repeating: Array(UInt8(0)...UInt8(255)), count: 39).flatMap { $0 }))
        #expect(try await store.list(prefix: "rooms/r/").map(\.key).contains("rooms/r/from-boto3.bin"))
        #expect(try await store.putIfAbsent(try ObjectKey("rooms/r/from-boto3.bin"), theirs) == .alreadyExists(sameBytes: true))
    }

    @Test func objectLockBucketAndRetentionHeaders() async throws {
        let bucket = TestServers.uniqueBucket("lock")
        let admin = TestServers.s3Store(bucket: bucket, credentials: TestServers.adminCredentials,
                                        objectLock: S3ObjectLock(mode: .compliance, retentionDays: 1))
        try await admin.createBucket(objectLock: S3ObjectLock(mode: .compliance, retentionDays: 3))
        let key = try ObjectKey("rooms/locked/metadata.json")
        #expect(try await admin.putIfAbsent(key, Data("locked".utf8)) == .created)

        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = TestServers.adminCredentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = TestServers.adminCredentials.secretAccessKey
        let script = """
            import os, boto3, botocore
            s3 = boto3.client("s3", endpoint_url=os.environ["BUCKETCHAT_TEST_S3_ENDPOINT"], region_name="us-east-1")
            rule = s3.get_object_lock_configuration(Bucket="\(bucket)")["ObjectLockConfiguration"]
            print(rule["ObjectLockEnabled"], rule["Rule"]["DefaultRetention"]["Mode"], rule["Rule"]["DefaultRetention"]["Days"])
            head = s3.head_object(Bucket="\(bucket)", Key="rooms/locked/metadata.json")
            print(head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate") is not None)
            version = head.get("VersionId")
            try:
                s3.delete_object(Bucket="\(bucket)", Key="rooms/locked/metadata.json", VersionId=version)
                print("deleted")
            except botocore.exceptions.ClientError as e:
                print("refused", e.response["Error"]["Code"])
            """
        let lines = try run("/usr/bin/env", ["python3", "-c", script], environment: environment).output.split(separator: "\n").map(String.init)
        #expect(lines.first == "Enabled COMPLIANCE 3")
        #expect(lines.dropFirst().first == "COMPLIANCE True")
        // Even the admin cannot delete the locked version.
        #expect(lines.last?.hasPrefix("refused") == true, "\(lines)")
    }
}
