/// A fault proxy that could not be started or controlled.
struct ProxyFailure: Error, CustomStringConvertible {
    let description: String
}
