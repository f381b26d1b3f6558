import Synchronization

/// Process-wide accounting of the bytes held by every `NDArray` storage buffer.
///
/// The counters are always on: each allocation and release is one atomic add, and the peak is
/// raised with a compare-and-swap only when it is exceeded, so the cost is a few nanoseconds.
///
/// ```swift
/// MemoryStats.resetPeak()
/// let before = MemoryStats.liveBytes
/// trainStep()
/// print(MemoryStats.peakBytes - before)
/// ```
public enum MemoryStats {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)
    private static let allocations = Atomic<Int>(0)

    /// Bytes held right now by all live NDArray buffers.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// The largest value `liveBytes` has had since the process started or `resetPeak()` was called.
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// The number of buffers allocated since the process started (a steady-state loop that
    /// allocates nothing leaves it unchanged).
    public static var allocationCount: Int { allocations.load(ordering: .relaxed) }

    /// Sets the peak to the current live bytes, to measure the peak of the work that follows.
    public static func resetPeak() {
        peak.store(live.load(ordering: .relaxed), ordering: .relaxed)
    }

    static func didAllocate(bytes: Int) {
        allocations.wrappingAdd(1, ordering: .relaxed)
        let now = live.wrappingAdd(bytes, ordering: .relaxed).newValue
        var current = peak.load(ordering: .relaxed)
        while now > current {
            let (exchanged, original) = peak.compareExchange(
                expected: current, desired: now, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    static func didFree(bytes: Int) {
        live.wrappingSubtract(bytes, ordering: .relaxed)
    }
}
