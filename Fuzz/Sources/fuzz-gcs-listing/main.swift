import Foundation
import GCSStore
import ObjectStore

// Fuzzes the GCS JSON API object-list page parser (`GCSListPage`, the code
// `GCSStore.list` runs on every response body).
//
// Invariants: nothing crashes; the same bytes give the same page; an empty
// page token is never handed back (it would restart the listing).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGCSListing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(UnsafeBufferPointer(start: data, count: size))
    for storePrefix in ["", "team/"] {
        let page = GCSListPage(json: body, storePrefix: storePrefix)
        guard page == GCSListPage(json: body, storePrefix: storePrefix) else { fatalError("same bytes, different page") }
        if let next = page?.nextToken, next.isEmpty { fatalError("empty page token would restart the listing") }
    }
    return 0
}
