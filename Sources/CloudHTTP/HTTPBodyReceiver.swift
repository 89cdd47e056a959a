/// Takes a successful response's body as it arrives, instead of the client
/// holding all of it: downloads of objects far larger than memory should hold.
///
/// Set on ``HTTPRequest/bodyReceiver``. Only a 2xx answer's body comes here;
/// any other status's body (an error document) is kept in the response as
/// usual. Both calls come from the transfer thread, one at a time, in order.
public protocol HTTPBodyReceiver: AnyObject, Sendable {
    /// The answer's headers (names lowercased), before any byte of its body.
    /// Return false to stop the transfer (say, a Content-Length over a limit).
    func start(headers: [(name: String, value: String)]) -> Bool

    /// The next bytes of the body. Return false to stop the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool
}
