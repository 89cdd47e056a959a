/// A helper process or server that did not do what a test needed.
struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
}
