/// One page of a paged cloud listing, as a backend parsed it: the objects
/// (and, for a delimited listing, the folders) with keys relative to the
/// store prefix, and the token that asks for the next page.
///
/// Each backend parses its own pages and names its own token parameter; the
/// paging loop, ``collect(_:)``, is the same for all of them.
public protocol ListingPage: Sendable {
    var objects: [ObjectInfo] { get }
    /// The folders of a delimited listing, relative to the store prefix.
    var folders: [String] { get }
    /// nil on the last page.
    var nextToken: String? { get }
}

extension ListingPage {
    /// Every page of one listing, fetched in turn until a page names no next
    /// one: `fetch` gets nil for the first page, then each page's token.
    ///
    /// Folders come back once each: pages list them in order, but one folder
    /// may end a page and start the next (GCS does this).
    public static func collect(_ fetch: (_ token: String?) async throws(StoreError) -> Self) async throws(StoreError) -> (objects: [ObjectInfo], folders: [String]) {
        var objects: [ObjectInfo] = []
        var folders: [String] = []
        var seen: Set<String> = []
        var token: String?
        repeat {
            let page = try await fetch(token)
            objects += page.objects
            folders += page.folders.filter { seen.insert($0).inserted }
            token = page.nextToken
        } while token != nil
        return (objects, folders)
    }
}
