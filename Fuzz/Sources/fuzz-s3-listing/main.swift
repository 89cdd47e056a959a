import Foundation
import ObjectStore
import S3Store

// Fuzzes the S3 ListObjectsV2 page parser (`S3ListPage`, the code
// `S3Store.list` runs on every response body).
//
// Invariants: nothing crashes, hangs or leaks (beyond the toolchain leak in
// Fuzz/lsan.supp); the same bytes give the same page; an empty continuation
// token is never handed back (it would restart the listing).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzS3Listing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(UnsafeBufferPointer(start: data, count: size))
    for storePrefix in ["", "team/"] {
        let page = S3ListPage(xml: body, storePrefix: storePrefix)
        guard page == S3ListPage(xml: body, storePrefix: storePrefix) else { fatalError("same bytes, different page") }
        if let next = page?.nextToken, next.isEmpty { fatalError("empty continuation token would restart the listing") }
    }
    return 0
}
