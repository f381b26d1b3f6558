import Dispatch
import Foundation

/// Splits large loops across the machine's cores; small ones run inline, because waking a
/// second thread costs a few microseconds, more than a small kernel takes.
enum Parallel {
    /// Elements below which a loop runs on the calling thread.
    static let threshold = 1 << 16
    /// Worker count: the active processor count (2 on the reference machine).
    static let workers = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint ranges covering `0..<count`, in parallel above the threshold.
    /// `grain` makes every range boundary (but the last) a multiple of it (SIMD width, row length).
    @inline(__always)
    static func chunks(_ count: Int, grain: Int = 8, threshold: Int = Parallel.threshold, _ body: (Range<Int>) -> Void) {
        if count < threshold || workers == 1 {
            body(0..<count)
            return
        }
        let parts = workers
        var per = (count + parts - 1) / parts
        per = (per + grain - 1) / grain * grain
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = part * per
            let end = Swift.min(count, start + per)
            if start < end { body(start..<end) }
        }
    }
}
