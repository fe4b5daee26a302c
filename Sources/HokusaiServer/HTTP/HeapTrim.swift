import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Gives freed heap memory back to the kernel. glibc keeps what a thread's arena freed (up to the
/// trim threshold `MallocTuning` raises, and more in arenas other than the main one), so after
/// a flood of connections closed the process kept its peak size; `malloc_trim` returns every
/// free page of every arena. Run off the event loops (it walks the whole heap), and a moment after
/// the flood drained, once the rest of its connections have been freed too.
enum HeapTrim {
    static func soon() {
        #if canImport(Glibc)
            // `malloc_trim` lives in malloc.h, which Swift's Glibc module leaves out.
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            let trim = unsafeBitCast(symbol, to: MallocTrim.self)
            DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + 2) { _ = trim(0) }
        #endif
    }
}
