import Testing
@testable import ObjectStore

/// The local store's per-entry decisions when it walks folders for a listing
/// after a bound: a poll of a date folder holding 30,000 files must skip the
/// old ones without a stat or a string each, and never open a folder whose
/// keys all sort before the bound (LocalFolderStore+Listing.swift).
@Suite struct ListingBoundsTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func foldersWhollyBeforeTheBoundAreNotOpened() {
        let bounds = ListingBounds(prefix: bytes("rooms/r/"), startAfter: bytes("rooms/r/logs/2026-01-02/messages_5"))
        #expect(!bounds.mayHoldKeys(below: bytes("rooms/r/logs/2026-01-01/")), "yesterday's folder sorts before the bound")
        #expect(!bounds.mayHoldKeys(below: bytes("rooms/r/attachments/")))
        #expect(bounds.mayHoldKeys(below: bytes("rooms/r/logs/")), "the bound lies inside")
        #expect(bounds.mayHoldKeys(below: bytes("rooms/r/logs/2026-01-02/")))
        #expect(bounds.mayHoldKeys(below: bytes("rooms/r/logs/2026-01-03/")), "after the bound")
        #expect(!bounds.mayHoldKeys(below: bytes("rooms/s/")), "outside the prefix")
        #expect(ListingBounds(prefix: bytes("rooms/"), startAfter: nil).mayHoldKeys(below: bytes("rooms/r/logs/")))
    }

    @Test func keysAreAdmittedInS3ByteOrder() {
        let bounds = ListingBounds(prefix: bytes("rooms/r/"), startAfter: bytes("rooms/r/logs/d/messages_5"))
        #expect(!bounds.admits(bytes("rooms/r/logs/d/messages_4")))
        #expect(!bounds.admits(bytes("rooms/r/logs/d/messages_5")), "the bound itself is not after it")
        #expect(bounds.admits(bytes("rooms/r/logs/d/messages_50")), "a longer key with the bound as prefix sorts after it")
        #expect(bounds.admits(bytes("rooms/r/logs/d/messages_6")))
        #expect(!bounds.admits(bytes("rooms/x/logs/d/messages_6")), "outside the prefix")
        #expect(ListingBounds.precedes(bytes("a-c"), bytes("a/b")), "- sorts before /")
        #expect(ListingBounds.precedes(bytes(""), bytes("a")))
        #expect(!ListingBounds.precedes(bytes("a"), bytes("a")))
    }
}
