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
}
