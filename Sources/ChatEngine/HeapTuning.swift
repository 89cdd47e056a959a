#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings of the C heap, for programs that open large rooms.
public enum HeapTuning {
    /// Lets each malloc arena grow by 64 MiB at a time. Opening a large room
    /// allocates millions of small objects from several threads at once, and
    /// glibc otherwise grows each thread's heap a few pages per system call
    /// (`mprotect`): about a tenth of the time of a warm open of a
    /// million-event room. Address space is reserved, not memory used.
    ///
    /// `mallopt` is looked up at run time: Swift's Glibc module leaves out
    /// `malloc.h`, and a C library other than glibc simply goes without.
    public static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let topPad: Int32 = -2  // M_TOP_PAD in glibc's malloc.h
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(topPad, 64 << 20)
        #endif
    }
}
