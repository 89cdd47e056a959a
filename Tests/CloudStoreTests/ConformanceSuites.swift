import Foundation
import ObjectStore
import Testing

@Suite struct LocalFolderConformanceTests {
    let store = TestServers.freshFolderStore()

    @Test func listsAllKeysAcrossPages() async throws { try await Conformance(store: store).listsAllKeysAcrossPages() }
    @Test func listsFoldersBelowAPrefix() async throws { try await Conformance(store: store).listsFoldersBelowAPrefix() }
    @Test func listsAfterABoundAcrossFolders() async throws { try await Conformance(store: store).listsAfterABoundAcrossFolders() }
    @Test func concurrentCreatesHaveOneWinner() async throws { try await Conformance(store: store).concurrentCreatesHaveOneWinner() }
    @Test func retryWithSameBytesIsIdempotent() async throws { try await Conformance(store: store).retryWithSameBytesIsIdempotent() }
    @Test func sixteenMebibyteObjectRoundTrips() async throws { try await Conformance(store: store).sixteenMebibyteObjectRoundTrips() }
    @Test func badKeysAndMissingObjectsAreTypedErrors() async throws { try await Conformance(store: store).badKeysAndMissingObjectsAreTypedErrors() }
    // The folder store copies a MiB at a time: 3 MiB and a bit crosses that several times.
    static let largeSize = 3 << 20 + 12_345
    @Test func filesRoundTripAtEverySize() async throws { try await Conformance(store: store).filesRoundTripAtEverySize(largeSize: Self.largeSize) }
    @Test func existingKeyIsNeverOverwrittenByAFile() async throws { try await Conformance(store: store).existingKeyIsNeverOverwrittenByAFile(largeSize: Self.largeSize) }
    @Test func downloadOfAMissingKeyIsNotFound() async throws { try await Conformance(store: store).downloadOfAMissingKeyIsNotFound() }
    @Test func concurrentFileUploadsOfOneKeyAgree() async throws { try await Conformance(store: store).concurrentFileUploadsOfOneKeyAgree(largeSize: Self.largeSize) }
    @Test func downloadOverTheLimitIsTooLarge() async throws { try await Conformance(store: store).downloadOverTheLimitIsTooLarge(largeSize: Self.largeSize) }
}

@Suite(.enabled(if: TestServers.s3Endpoint != nil, TestServers.s3Missing))
struct S3ConformanceTests {
    @Test func listsAllKeysAcrossPages() async throws { try await Conformance(store: try await TestServers.freshS3Store()).listsAllKeysAcrossPages() }
    @Test func listsFoldersBelowAPrefix() async throws { try await Conformance(store: try await TestServers.freshS3Store()).listsFoldersBelowAPrefix() }
    @Test func listsAfterABoundAcrossFolders() async throws { try await Conformance(store: try await TestServers.freshS3Store()).listsAfterABoundAcrossFolders() }
    @Test func concurrentCreatesHaveOneWinner() async throws { try await Conformance(store: try await TestServers.freshS3Store()).concurrentCreatesHaveOneWinner() }
    @Test func retryWithSameBytesIsIdempotent() async throws { try await Conformance(store: try await TestServers.freshS3Store()).retryWithSameBytesIsIdempotent() }
    @Test func sixteenMebibyteObjectRoundTrips() async throws { try await Conformance(store: try await TestServers.freshS3Store()).sixteenMebibyteObjectRoundTrips() }
    @Test func badKeysAndMissingObjectsAreTypedErrors() async throws { try await Conformance(store: try await TestServers.freshS3Store()).badKeysAndMissingObjectsAreTypedErrors() }
    // Three 5 MiB parts, the last short: a multipart upload under the writer's no-delete policy.
    static let largeSize = Int(2 * TestServers.s3PartSize) + 12_345
    @Test func filesRoundTripAtEverySize() async throws { try await Conformance(store: try await TestServers.freshS3FileStore()).filesRoundTripAtEverySize(largeSize: Self.largeSize) }
    @Test func existingKeyIsNeverOverwrittenByAFile() async throws { try await Conformance(store: try await TestServers.freshS3FileStore()).existingKeyIsNeverOverwrittenByAFile(largeSize: Self.largeSize) }
    @Test func downloadOfAMissingKeyIsNotFound() async throws { try await Conformance(store: try await TestServers.freshS3FileStore()).downloadOfAMissingKeyIsNotFound() }
    @Test func concurrentFileUploadsOfOneKeyAgree() async throws { try await Conformance(store: try await TestServers.freshS3FileStore()).concurrentFileUploadsOfOneKeyAgree(largeSize: Self.largeSize) }
    @Test func downloadOverTheLimitIsTooLarge() async throws { try await Conformance(store: try await TestServers.freshS3FileStore()).downloadOverTheLimitIsTooLarge(largeSize: Self.largeSize) }
}

@Suite(.enabled(if: TestServers.gcsEndpoint != nil, TestServers.gcsMissing))
struct GCSConformanceTests {
    @Test func listsAllKeysAcrossPages() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).listsAllKeysAcrossPages() }
    @Test func listsFoldersBelowAPrefix() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).listsFoldersBelowAPrefix() }
    @Test func listsAfterABoundAcrossFolders() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).listsAfterABoundAcrossFolders() }
    @Test func concurrentCreatesHaveOneWinner() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).concurrentCreatesHaveOneWinner() }
    @Test func retryWithSameBytesIsIdempotent() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).retryWithSameBytesIsIdempotent() }
    @Test func sixteenMebibyteObjectRoundTrips() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).sixteenMebibyteObjectRoundTrips() }
    @Test func badKeysAndMissingObjectsAreTypedErrors() async throws { try await Conformance(store: try await TestServers.freshGCSStore()).badKeysAndMissingObjectsAreTypedErrors() }
    // Five 256 KiB chunks and a short one: a resumable upload.
    static let largeSize = Int(TestServers.gcsResumableThreshold + TestServers.gcsChunkSize) + 12_345
    @Test func filesRoundTripAtEverySize() async throws { try await Conformance(store: try await TestServers.freshGCSFileStore()).filesRoundTripAtEverySize(largeSize: Self.largeSize) }
    @Test func existingKeyIsNeverOverwrittenByAFile() async throws { try await Conformance(store: try await TestServers.freshGCSFileStore()).existingKeyIsNeverOverwrittenByAFile(largeSize: Self.largeSize) }
    @Test func downloadOfAMissingKeyIsNotFound() async throws { try await Conformance(store: try await TestServers.freshGCSFileStore()).downloadOfAMissingKeyIsNotFound() }
    @Test func concurrentFileUploadsOfOneKeyAgree() async throws { try await Conformance(store: try await TestServers.freshGCSFileStore()).concurrentFileUploadsOfOneKeyAgree(largeSize: Self.largeSize) }
    @Test func downloadOverTheLimitIsTooLarge() async throws { try await Conformance(store: try await TestServers.freshGCSFileStore()).downloadOverTheLimitIsTooLarge(largeSize: Self.largeSize) }
}
