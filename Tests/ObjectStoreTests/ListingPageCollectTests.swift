import ObjectStore
import Testing

/// The one paging loop the cloud backends share: it follows each page's token
/// until a page names none, keeps objects in page order, lists each folder
/// once, and stops at the first failing page.
@Suite struct ListingPageCollectTests {
    struct Page: ListingPage {
        var objects: [ObjectInfo] = []
        var folders: [String] = []
        var nextToken: String?
    }

    static func object(_ key: String) -> ObjectInfo {
        ObjectInfo(key: key, size: 1, etag: "e-\(key)")
    }

    @Test func followsTokensUntilAPageNamesNone() async throws {
        let pages: [String?: Page] = [
            nil: Page(objects: [Self.object("a"), Self.object("b")], folders: ["f1/"], nextToken: "t1"),
            "t1": Page(objects: [Self.object("c")], folders: ["f1/", "f2/"], nextToken: "t2"),
            "t2": Page(objects: [], folders: ["f3/"], nextToken: nil),
        ]
        var asked: [String?] = []
        let listing = try await Page.collect { (token) async throws(StoreError) -> Page in
            asked.append(token)
            guard let page = pages[token] else { throw StoreError(.badResponse, "no page \(token ?? "nil")") }
            return page
        }
        #expect(asked == [nil, "t1", "t2"])
        #expect(listing.objects.map(\.key) == ["a", "b", "c"])
        #expect(listing.folders == ["f1/", "f2/", "f3/"], "a folder ending one page and starting the next is listed once")
    }

    @Test func oneEmptyPageIsAnEmptyListing() async throws {
        var calls = 0
        let listing = try await Page.collect { (_) async throws(StoreError) -> Page in
            calls += 1
            return Page()
        }
        #expect(calls == 1)
        #expect(listing.objects.isEmpty && listing.folders.isEmpty)
    }

    @Test func aFailingPageEndsTheListingWithItsError() async {
        var calls = 0
        do {
            _ = try await Page.collect { (token) async throws(StoreError) -> Page in
                calls += 1
                if token == nil { return Page(objects: [Self.object("a")], nextToken: "t1") }
                throw StoreError(.serverError, "page two failed")
            }
            Issue.record("the listing succeeded")
        } catch {
            #expect(error.message == "page two failed")
        }
        #expect(calls == 2)
    }
}
