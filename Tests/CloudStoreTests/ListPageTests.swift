import Foundation
import GCSStore
import ObjectStore
import S3Store
import Testing

/// The listing-page parsers the stores run on every LIST response, also the
/// targets of `fuzz-s3-listing` and `fuzz-gcs-listing` (Fuzz/).
@Suite struct ListPageTests {
    func s3(_ body: String) -> Data {
        Data(("<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + body + "</ListBucketResult>").utf8)
    }

    @Test func s3PageKeepsOnlyKeysUnderThePrefixAndMakesThemRelative() throws {
        let page = try #require(S3ListPage(xml: s3("""
            <IsTruncated>true</IsTruncated>\
            <Contents><Key>team/rooms/a&amp;b</Key><Size>12</Size><ETag>"e1"</ETag></Contents>\
            <Contents><Key>other/x</Key><Size>1</Size></Contents>\
            <NextContinuationToken>tok</NextContinuationToken>
            """), storePrefix: "team/"))
        #expect(page.objects == [ObjectInfo(key: "rooms/a&b", size: 12, etag: "\"e1\"")])
        #expect(page.nextToken == "tok")
    }

    /// A delimited listing's folders come from `CommonPrefixes/Prefix`; the
    /// top-level `Prefix` only echoes the request.
    @Test func s3PageReadsTheFoldersOfADelimitedListing() throws {
        let page = try #require(S3ListPage(xml: s3("""
            <Prefix>team/rooms/</Prefix><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>            <CommonPrefixes><Prefix>team/rooms/a/</Prefix></CommonPrefixes>            <CommonPrefixes><Prefix>team/rooms/b/</Prefix></CommonPrefixes>
            """), storePrefix: "team/"))
        #expect(page.folders == ["rooms/a/", "rooms/b/"])
        #expect(page.objects.isEmpty)
        let gcs = try #require(GCSListPage(json: Data(#"{"prefixes":["team/rooms/a/","elsewhere/"]}"#.utf8), storePrefix: "team/"))
        #expect(gcs.folders == ["rooms/a/"])
    }

    /// An empty token would be sent back as `continuation-token=` and list the
    /// first page again, forever.
    @Test func s3EmptyOrMissingTokenEndsTheListing() throws {
        let empty = try #require(S3ListPage(xml: s3("<IsTruncated>true</IsTruncated><NextContinuationToken></NextContinuationToken>"), storePrefix: ""))
        #expect(empty.nextToken == nil)
        let missing = try #require(S3ListPage(xml: s3("<IsTruncated>true</IsTruncated>"), storePrefix: ""))
        #expect(missing.nextToken == nil)
        let done = try #require(S3ListPage(xml: s3("<IsTruncated>false</IsTruncated><NextContinuationToken>t</NextContinuationToken>"), storePrefix: ""))
        #expect(done.nextToken == nil)
    }

    @Test func s3RejectsWhatIsNotAListing() {
        #expect(S3ListPage(xml: Data("<Error><Code>AccessDenied</Code></Error>".utf8), storePrefix: "") == nil)
        #expect(S3ListPage(xml: Data("<ListBucketResult>".utf8), storePrefix: "") == nil)
        #expect(S3ListPage(xml: Data([0xFF, 0x00, 0x3C]), storePrefix: "") == nil)
    }

    /// A body cut short (a dropped connection the transport did not notice)
    /// is not a listing: FoundationXML's parser reports success on it, and the
    /// page would silently miss every object after the cut.
    @Test func s3TruncatedBodyIsNotAPage() {
        let whole = s3("<IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents><Contents><Key>b</Key><Size>2</Size></Contents>")
        #expect(S3ListPage(xml: whole, storePrefix: "")?.objects.count == 2)
        for cut in stride(from: 1, to: whole.count, by: 7) {
            #expect(S3ListPage(xml: whole.prefix(cut), storePrefix: "") == nil, "cut at \(cut)")
        }
    }

    /// fuzz-s3-listing: an element name holding invalid UTF-8 made
    /// FoundationXML trap inside XMLParser.parse() (a crash, not an error).
    @Test func s3InvalidUTF8IsNotAPageAndDoesNotCrash() throws {
        let crash = try #require(Data(base64Encoded: """
            PD94bWwgdmVyc2lvbj0iMS4wIj8+PEVycm9yPjxDb2RlPkFjY2Vzc0RlbmllZDwvQ29kZT48TWVzc2E8U2l6ZT4yPC9TaXplPjxTdG9yYcDAwMDAwMDAwMDA\
            wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwGdlQ2xhc3M+U1RBTkRBUkQ8L1N0b3JhZ2VDbGFzcz48L0NvbnRlbmdlPkFj\
            Y2VzcyBEZW5pZWQ8L01lc3NhZ2U+PC9FcnJvcj4=
            """))
        #expect(S3ListPage(xml: crash, storePrefix: "") == nil)
        #expect(S3ListPage(xml: s3("<Contents><Key>a\u{FFFD}</Key></Contents>") + Data([0xC0]), storePrefix: "") == nil)
        #expect(S3ListPage(xml: Data("<ListBucketResult><Con".utf8) + Data([0xC0, 0xC0]) + Data("/></ListBucketResult>".utf8), storePrefix: "") == nil)
    }

    /// fuzz-s3-listing: a processing instruction without data (`<?xm.02?>`)
    /// made FoundationXML call strlen(NULL) inside XMLParser.parse() (SIGSEGV).
    /// S3 never sends processing instructions, DOCTYPEs, comments or CDATA.
    @Test func s3MarkupBeyondElementsIsNotAPageAndDoesNotCrash() {
        #expect(S3ListPage(xml: Data("<?xm.02?><ror><Corror>".utf8), storePrefix: "") == nil)
        let inner = "<IsTruncated>false</IsTruncated><Contents><Key>a</Key></Contents>"
        for extra in ["<?pi?>", "<?pi data?>", "<!-- c -->", "<![CDATA[x]]>"] {
            #expect(S3ListPage(xml: s3(extra + inner), storePrefix: "") == nil, "\(extra)")
        }
        #expect(S3ListPage(xml: Data(("<!DOCTYPE x [<!ENTITY e \"v\">]><ListBucketResult>" + inner + "</ListBucketResult>").utf8), storePrefix: "") == nil)
        #expect(S3ListPage(xml: Data(("<?xml?><ListBucketResult>" + inner + "</ListBucketResult>").utf8), storePrefix: "") == nil)
        // fuzz: the same crash, the instruction hidden inside an unclosed declaration.
        #expect(S3ListPage(xml: Data("<?xml version=\"tSring<0Error><C??<?xm.02?><ror><Corror>".utf8), storePrefix: "") == nil)
        // What S3 sends still parses: declaration, entities, character references.
        let plain = Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<Contents><Key>a&amp;b&#x41;</Key><Size>1</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>").utf8)
        #expect(S3ListPage(xml: plain, storePrefix: "")?.objects.map(\.key) == ["a&bA"])
        let bare = Data("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>".utf8)
        #expect(S3ListPage(xml: bare, storePrefix: "")?.objects.map(\.key) == ["k"])
    }

    @Test func gcsPageKeepsOnlyNamesUnderThePrefix() throws {
        let page = try #require(GCSListPage(json: Data("""
            {"items":[{"name":"team/a","size":"7","etag":"CAE="},{"name":"other/b","size":"1"},{"name":"team/c","size":"x"}],
             "nextPageToken":"n"}
            """.utf8), storePrefix: "team/"))
        #expect(page.objects == [ObjectInfo(key: "a", size: 7, etag: "CAE="), ObjectInfo(key: "c", size: 0, etag: "")])
        #expect(page.nextToken == "n")
        #expect(GCSListPage(json: Data(#"{"nextPageToken":""}"#.utf8), storePrefix: "")?.nextToken == nil)
        #expect(GCSListPage(json: Data(#"{"items":[{"size":"1"}]}"#.utf8), storePrefix: "") == nil)
        #expect(GCSListPage(json: Data("[]".utf8), storePrefix: "") == nil)
    }
}
