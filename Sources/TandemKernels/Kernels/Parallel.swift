import Dispatch
import Foundation

/// Tandem's one threading policy: Tandem's own workers (`DispatchQueue.concurrentPerform`) run
/// every parallel loop, OpenBLAS runs single-threaded inside them (`Matmul.threadingPolicy`), so
/// the two never compete for the cores or spin (`sched_yield`) waiting on each other. Large loops
/// are split across the machine's cores; small ones run inline, because waking a second thread
/// costs a few microseconds, more than a small kernel takes.
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
        parts(count, grain: grain) { _, range in body(range) }
    }

    /// Calls `body(part, range)` once per worker on disjoint ranges covering `0..<count` (a
    /// multiple of `grain` long, but the last), concurrently; `part` is in `0..<workers`, so a
    /// caller can give each part its own scratch buffer. Empty ranges are skipped.
    static func parts(_ count: Int, grain: Int = 1, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        let parts = Swift.min(workers, Swift.max(1, count))
        if parts == 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        var per = (count + parts - 1) / parts
        per = (per + grain - 1) / grain * grain
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = part * per
            let end = Swift.min(count, start + per)
            if start < end { body(part, start..<end) }
        }
    }
}
