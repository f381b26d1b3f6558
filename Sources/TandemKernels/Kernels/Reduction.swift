import Dispatch

/// Reductions over all elements or one dimension. A dimension splits a contiguous array into
/// [outer, n, inner]: with inner == 1 each output is a dense row reduction; otherwise rows of
/// `inner` elements are combined with vector adds, so memory is always read in order.
enum Reduction {
    /// The [outer, n, inner] split of `shape` around `axis`.
    static func split(_ shape: [Int], _ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Sums `n` contiguous floats (8 partial sums, for speed and a little less rounding error).
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            acc += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        var total = acc.sum()
        while i < n {
            total += p[i]
            i &+= 1
        }
        return total
    }

    /// Sum (or mean) over all elements of a dense buffer, in parallel for large inputs.
    static func sumAll(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        if n < Parallel.threshold { return sum(p, n) }
        var partial = [Float](repeating: 0, count: Parallel.workers)
        let per = (n + Parallel.workers - 1) / Parallel.workers
        partial.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: Parallel.workers) { w in
                let start = w * per, end = Swift.min(n, start + per)
                if start < end { out[w] = sum(p + start, end - start) }
            }
        }
        return partial.reduce(0, +)
    }

    /// out[o, i] = sum_k x[o, k, i] (scaled by `scale`).
    static func sum(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            Parallel.chunks(outer, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(n, 1))) { rows in
                for o in rows { out[o] = sum(x + o * n, n) * scale }
            }
            return
        }
        Parallel.chunks(outer, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(n * inner, 1))) { rows in
            for o in rows {
                let dst = out + o * inner
                dst.initialize(repeating: 0, count: inner)
                for k in 0..<n {
                    let src = x + (o * n + k) * inner
                    for i in 0..<inner { dst[i] += src[i] }
                }
                if scale != 1 { for i in 0..<inner { dst[i] *= scale } }
            }
        }
    }

    /// out[o, i] = max_k x[o, k, i]; `indices` (if given) receives the first k of the maximum.
    /// NaN propagates, as in PyTorch.
    static func max(
        _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
        into out: UnsafeMutablePointer<Float>?, indices: UnsafeMutablePointer<Float>?
    ) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = x + o * n * inner + i
                var best = base[0], at = 0
                if !best.isNaN {
                    for k in 1..<Swift.max(n, 1) {
                        let v = base[k * inner]
                        if v > best || v.isNaN {
                            best = v
                            at = k
                            if v.isNaN { break }
                        }
                    }
                }
                out?[o * inner + i] = best
                indices?[o * inner + i] = Float(at)
            }
        }
    }
}
