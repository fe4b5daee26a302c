#if canImport(Glibc)
    import Glibc
#endif

/// glibc gives the free memory at the top of a thread's heap back to the kernel once more than
/// 128 KB of it is free. A request's allocations rise and fall across that line, so under load
/// nearly every request ended in `madvise` (and a TLB flush on the other core) and its next
/// allocations in page faults: authenticated get_run under 32 connections went from about 6,300
/// to 8,000 requests/s with the line at 8 MB. Setting it fixes glibc's large-allocation
/// threshold too, which would otherwise move: 1 MB, so big buffers still go straight to the kernel.
enum MallocTuning {
    static func applyForServing() {
        #if canImport(Glibc)
            // `mallopt` and its constants live in malloc.h, which Swift's Glibc module leaves out.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            _ = mallopt(trimThreshold, 8 << 20)
            _ = mallopt(mmapThreshold, 1 << 20)
        #endif
    }
}
