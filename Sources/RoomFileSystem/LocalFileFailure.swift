#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call's failure, as its errno and text.
struct LocalFileFailure: Error {
    let errno: Int32
    var description: String { String(cString: strerror(errno)) }
}
