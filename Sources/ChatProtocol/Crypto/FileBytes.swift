#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with errors that name the path.
public enum FileBytes {
    public static func read(path: String) throws(ProtocolError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProtocolError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0 {
            // Read straight into an array of the file's size; a file that grows
            // meanwhile gets the rest read below.
            let size = Int(info.st_size)
            var failed = false
            out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = 0
                while count < size {
                    let n = Glibc.read(fd, buffer.baseAddress.map { $0 + count }, size - count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { failed = n < 0; break }
                    count += n
                }
            }
            if failed { throw ProtocolError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ProtocolError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
