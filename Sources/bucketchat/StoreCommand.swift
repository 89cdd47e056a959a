import ArgumentParser
import Foundation
import GCSStore
import ObjectStore
import S3Store

/// `bucketchat store`: setting up where rooms live.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Set up a store for rooms.",
        subcommands: [CreateBucket.self, EnableNotifications.self]
    )

    struct CreateBucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-bucket",
            abstract: "Create the bucket of an s3:// or gs:// location, optionally with Object Lock (S3).",
            discussion: """
                With --object-lock-days N, the S3 bucket is created with Object Lock enabled and a \
                default COMPLIANCE retention of N days: no one, not even the account's root, can \
                delete or overwrite an object for N days, which is what the write-once model \
                wants (docs/deployment.md). Credentials come from the environment as the AWS and \
                Google tools find them; create buckets with an administrator's key, and give \
                members a key that can only read, list and create (docs/stores.md).
                """
        )

        @Argument(help: ArgumentHelp("The location: s3://bucket/prefix or gs://bucket/prefix.", valueName: "url"))
        var location: String

        @Option(name: .customLong("object-lock-days"), help: "S3 only: enable Object Lock with this default retention.")
        var objectLockDays: Int?

        @Flag(help: "With --object-lock-days: GOVERNANCE mode (privileged users may lift it) instead of COMPLIANCE.")
        var governance = false

        @Option(help: "GCS only: the project the bucket belongs to.")
        var project = ""

        func validate() throws {
            if let objectLockDays, objectLockDays < 1 {
                throw ValidationError("--object-lock-days must be at least 1")
            }
        }

        func run() async throws {
            let parsed: StoreLocation
            do {
                parsed = try StoreLocation(parsing: location)
            } catch {
                throw CLIError(error.message)
            }
            switch parsed {
            case .s3(let bucket, let prefix):
                let settings = try AWSSettings.resolve(bucket: bucket)
                let lock = objectLockDays.map { S3ObjectLock(mode: governance ? .governance : .compliance, retentionDays: $0) }
                try await S3Store(S3Configuration(bucket: bucket, prefix: prefix, settings: settings)).createBucket(objectLock: lock)
                print("created s3://\(bucket)" + (lock.map { " with Object Lock \($0.mode.rawValue), \($0.retentionDays) days" } ?? ""))
            case .gcs(let bucket, let prefix):
                guard objectLockDays == nil else {
                    throw CLIError("--object-lock-days is for S3; lock a GCS bucket with a retention policy (docs/deployment.md)")
                }
                try await GCSStore(try GCSConfiguration.fromEnvironment(bucket: bucket, prefix: prefix)).createBucket(project: project)
                print("created gs://\(bucket)")
            case .folder(let path):
                try Paths.makePrivateDirectory(path)
                print("created folder \(path)")
            }
        }
    }

    struct EnableNotifications: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable-notifications",
            abstract: "Make a store's readers follow bucket notifications instead of polling.",
            discussion: """
                Creates (or finds) the SNS topic bucketchat-BUCKET-HASH, lets S3 publish to it from \
                this bucket only, and adds to the bucket's notification configuration one entry \
                sending s3:ObjectCreated:* for keys under PREFIX/rooms/ to it, keeping the bucket's \
                other entries. Safe to run again: what is already there is left as it is. Each \
                reader's device then creates and subscribes its own SQS queue on first use and \
                lists only every minute (sync.notifications = "auto", the default; docs/sync.md). \
                Run it with credentials that may set the bucket up; it prints what each party's \
                policy needs (docs/deployment.md). For gs://, it prints the gcloud command that \
                sets up Pub/Sub notifications to the topic readers look for (in GOOGLE_CLOUD_PROJECT).
                """
        )

        @Argument(help: ArgumentHelp("The location: s3://bucket/prefix or gs://bucket/prefix.", valueName: "url"))
        var location: String

        func run() async throws {
            let parsed: StoreLocation
            do {
                parsed = try StoreLocation(parsing: location)
            } catch {
                throw CLIError(error.message)
            }
            if case .gcs(let bucket, let prefix) = parsed {
                // The topic, the service agent's right to publish and the bucket's
                // configuration are one gcloud command; bucketchat names the topic.
                let store = GCSStore(try GCSConfiguration.fromEnvironment(bucket: bucket, prefix: prefix))
                guard let notifications = store.notifications as? GCSNotifications else {
                    throw CLIError("no Google Cloud project known for gs://\(bucket): set GOOGLE_CLOUD_PROJECT (the project of the Pub/Sub topic), then run this again")
                }
                print("run: \(notifications.setUpCommand)")
                print("permissions for each reader: \(GCSNotifications.readerPermissions.joined(separator: ", ")) (roles/pubsub.subscriber on its subscription, roles/pubsub.editor or a custom role to create it)")
                return
            }
            guard case .s3(let bucket, let prefix) = parsed else {
                throw CLIError("enable-notifications is for s3:// and gs:// stores; a folder has no notifications")
            }
            let settings = try AWSSettings.resolve(bucket: bucket)
            let notifications = S3Notifications(store: S3Store(S3Configuration(bucket: bucket, prefix: prefix, settings: settings)))
            let enabled: S3Notifications.Enabled
            do {
                enabled = try await notifications.enable()
            } catch {
                throw CLIError("\(error.message)\nSetting up needs: \(S3Notifications.setUpPermissions.joined(separator: ", ")).")
            }
            print("topic: \(enabled.topicARN)")
            print("bucket notification \(enabled.configurationID): s3:ObjectCreated:* under \(enabled.keyPrefix) \(enabled.changedBucket ? "added" : "already there")")
            print("permissions to set up (this command): \(S3Notifications.setUpPermissions.joined(separator: ", "))")
            print("permissions for each reader: \(S3Notifications.readerPermissions.joined(separator: ", ")) (queues named bucketchat-*)")
            print("permissions for a reader with sync.notification_queue set: \(S3Notifications.namedQueuePermissions.joined(separator: ", "))")
        }
    }
}
