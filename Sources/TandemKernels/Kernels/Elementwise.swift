import Foundation

/// Elementwise kernels: a switch picks the operation once, then a tight loop (SIMD8 where the
/// operation has a vector form) runs over contiguous memory, split across cores when large.
enum Elementwise {
    typealias V = SIMD8<Float>

    /// dst[i] = s(src[i]) for i in 0..<n, 8 lanes at a time with `v`.
    @inline(__always)
    static func map(
        _ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        _ v: (V) -> V, _ s: (Float) -> Float
    ) {
        Parallel.chunks(n) { range in
            let a = UnsafeRawPointer(src + range.lowerBound)
            let d = UnsafeMutableRawPointer(dst + range.lowerBound)
            let count = range.count
            var i = 0
            while i + 8 <= count {
                d.storeBytes(of: v(a.loadUnaligned(fromByteOffset: i &* 4, as: V.self)), toByteOffset: i &* 4, as: V.self)
                i &+= 8
            }
            let sa = src + range.lowerBound, sd = dst + range.lowerBound
            while i < count {
                sd[i] = s(sa[i])
                i &+= 1
            }
        }
    }

    /// dst[i] = s(src[i]) for operations with no vector form (exp, log, tanh, ...).
    @inline(__always)
    static func mapScalar(
        _ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ s: (Float) -> Float
    ) {
        Parallel.chunks(n, threshold: Parallel.threshold / 8) { range in
            for i in range { dst[i] = s(src[i]) }
        }
    }

    /// dst[i] = v(a[i], b[i]) over equal-length contiguous inputs.
    @inline(__always)
    static func zip(
        _ n: Int, _ lhs: UnsafePointer<Float>, _ rhs: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        _ v: (V, V) -> V, _ s: (Float, Float) -> Float
    ) {
        Parallel.chunks(n) { range in
            let a = UnsafeRawPointer(lhs + range.lowerBound), b = UnsafeRawPointer(rhs + range.lowerBound)
            let d = UnsafeMutableRawPointer(dst + range.lowerBound)
            let count = range.count
            var i = 0
            while i + 8 <= count {
                let x = a.loadUnaligned(fromByteOffset: i &* 4, as: V.self)
                let y = b.loadUnaligned(fromByteOffset: i &* 4, as: V.self)
                d.storeBytes(of: v(x, y), toByteOffset: i &* 4, as: V.self)
                i &+= 8
            }
            let sa = lhs + range.lowerBound, sb = rhs + range.lowerBound, sd = dst + range.lowerBound
            while i < count {
                sd[i] = s(sa[i], sb[i])
                i &+= 1
            }
        }
    }

    // MARK: Unary

    /// Applies a unary elementwise op from a contiguous source into a contiguous destination.
    static func unary(_ step: ElementwiseStep, _ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        switch step {
        case .neg: map(n, src, dst, { -$0 }, { -$0 })
        case .relu: map(n, src, dst, { $0.replacing(with: 0, where: $0 .< 0) }, { $0 < 0 ? 0 : $0 })
        case .addScalar(let c): map(n, src, dst, { $0 + c }, { $0 + c })
        case .mulScalar(let c): map(n, src, dst, { $0 * c }, { $0 * c })
        case .sqrt: map(n, src, dst, { $0.squareRoot() }, { $0.squareRoot() })
        case .exp: mapScalar(n, src, dst) { Foundation.expf($0) }
        case .log: mapScalar(n, src, dst) { Foundation.logf($0) }
        case .tanh: mapScalar(n, src, dst) { Foundation.tanhf($0) }
        case .sigmoid: mapScalar(n, src, dst) { sigmoid($0) }
        case .pow(let p):
            if p == 2 {
                map(n, src, dst, { $0 * $0 }, { $0 * $0 })
            } else if p == 1 {
                map(n, src, dst, { $0 }, { $0 })
            } else if p == -1 {
                map(n, src, dst, { 1 / $0 }, { 1 / $0 })
            } else if p == 0.5 {
                map(n, src, dst, { $0.squareRoot() }, { $0.squareRoot() })
            } else {
                mapScalar(n, src, dst) { Foundation.powf($0, p) }
            }
        }
    }

    /// A numerically stable logistic function (no overflow for large |x|).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.expf(-x)) }
        let e = Foundation.expf(x)
        return e / (1 + e)
    }

    /// Runs a chain of unary steps in one pass over memory: blocks small enough to stay in L1
    /// go through every step before the next block is read.
    static func fused(_ steps: [ElementwiseStep], _ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let block = 2048
        Parallel.chunks(n, grain: block) { range in
            var start = range.lowerBound
            while start < range.upperBound {
                let count = Swift.min(block, range.upperBound - start)
                var input = src + start
                for step in steps {
                    unaryInline(step, count, input, dst + start)
                    input = UnsafePointer(dst + start)
                }
                if steps.isEmpty { (dst + start).update(from: input, count: count) }
                start += count
            }
        }
    }

    /// `unary` without the parallel split (used inside an already split block).
    private static func unaryInline(_ step: ElementwiseStep, _ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        switch step {
        case .neg: for i in 0..<n { dst[i] = -src[i] }
        case .relu: for i in 0..<n { dst[i] = src[i] < 0 ? 0 : src[i] }
        case .addScalar(let c): for i in 0..<n { dst[i] = src[i] + c }
        case .mulScalar(let c): for i in 0..<n { dst[i] = src[i] * c }
        case .sqrt: for i in 0..<n { dst[i] = src[i].squareRoot() }
        case .exp: for i in 0..<n { dst[i] = Foundation.expf(src[i]) }
        case .log: for i in 0..<n { dst[i] = Foundation.logf(src[i]) }
        case .tanh: for i in 0..<n { dst[i] = Foundation.tanhf(src[i]) }
        case .sigmoid: for i in 0..<n { dst[i] = sigmoid(src[i]) }
        case .pow(let p):
            if p == 2 {
                for i in 0..<n { dst[i] = src[i] * src[i] }
            } else {
                for i in 0..<n { dst[i] = Foundation.powf(src[i], p) }
            }
        }
    }

    // MARK: Binary with broadcasting

    /// The binary elementwise operations.
    enum Binary {
        case add, sub, mul, div, reluBackward
    }

    /// out = a (op) b with NumPy broadcasting. `out` is contiguous with shape `outShape`.
    static func binary(_ kind: Binary, _ a: NDArray, _ b: NDArray, outShape: [Int], into out: UnsafeMutablePointer<Float>) {
        switch kind {
        case .add: binary(a, b, outShape, out, { $0 + $1 }, { $0 + $1 })
        case .sub: binary(a, b, outShape, out, { $0 - $1 }, { $0 - $1 })
        case .mul: binary(a, b, outShape, out, { $0 * $1 }, { $0 * $1 })
        case .div: binary(a, b, outShape, out, { $0 / $1 }, { $0 / $1 })
        case .reluBackward:
            binary(a, b, outShape, out, { g, x in g.replacing(with: 0, where: x .<= 0) }, { g, x in x > 0 ? g : 0 })
        }
    }

    @inline(__always)
    private static func binary(
        _ a: NDArray, _ b: NDArray, _ outShape: [Int], _ out: UnsafeMutablePointer<Float>,
        _ v: (V, V) -> V, _ s: (Float, Float) -> Float
    ) {
        let n = outShape.reduce(1, *)
        if n == 0 { return }
        let pa = UnsafePointer(a.storage.pointer + a.offset), pb = UnsafePointer(b.storage.pointer + b.offset)
        let aDense = a.isContiguous, bDense = b.isContiguous
        // Same shape, both dense: the common case.
        if a.count == n && b.count == n && aDense && bDense {
            zip(n, pa, pb, out, v, s)
            return
        }
        // One side is a single value.
        if b.count == 1 && a.count == n && aDense {
            let c = pb.pointee, cv = V(repeating: c)
            map(n, pa, out, { v($0, cv) }, { s($0, c) })
            return
        }
        if a.count == 1 && b.count == n && bDense {
            let c = pa.pointee, cv = V(repeating: c)
            map(n, pb, out, { v(cv, $0) }, { s(c, $0) })
            return
        }
        // A dense row repeated over a dense matrix ([N, C] with [C]: a bias).
        if aDense && bDense && a.count == n && b.count > 0 && n % b.count == 0 && isTrailing(b.shape, of: outShape) {
            let row = b.count
            Parallel.chunks(n / row, grain: 1, threshold: Swift.max(1, Parallel.threshold / row)) { rows in
                for r in rows { zipInline(row, pa + r * row, pb, out + r * row, v, s) }
            }
            return
        }
        if aDense && bDense && b.count == n && a.count > 0 && n % a.count == 0 && isTrailing(a.shape, of: outShape) {
            let row = a.count
            Parallel.chunks(n / row, grain: 1, threshold: Swift.max(1, Parallel.threshold / row)) { rows in
                for r in rows { zipInline(row, pa, pb + r * row, out + r * row, v, s) }
            }
            return
        }
        // General: walk the broadcast index space row by row.
        let va = a.broadcast(to: outShape), vb = b.broadcast(to: outShape)
        let rank = outShape.count
        let inner = outShape[rank - 1]
        let stridesA = va.strides, stridesB = vb.strides
        let sa = stridesA[rank - 1], sb = stridesB[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var oa = 0, ob = 0, written = 0
        while written < n {
            let ra = pa + oa, rb = pb + ob, ro = out + written
            if sa == 1 && sb == 1 {
                zipInline(inner, ra, rb, ro, v, s)
            } else {
                for i in 0..<inner { ro[i] = s(ra[i * sa], rb[i * sb]) }
            }
            written += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                oa += stridesA[axis]
                ob += stridesB[axis]
                if index[axis] < outShape[axis] { break }
                oa -= stridesA[axis] * outShape[axis]
                ob -= stridesB[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    @inline(__always)
    private static func zipInline(
        _ n: Int, _ lhs: UnsafePointer<Float>, _ rhs: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        _ v: (V, V) -> V, _ s: (Float, Float) -> Float
    ) {
        let a = UnsafeRawPointer(lhs), b = UnsafeRawPointer(rhs), d = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= n {
            let x = a.loadUnaligned(fromByteOffset: i &* 4, as: V.self)
            let y = b.loadUnaligned(fromByteOffset: i &* 4, as: V.self)
            d.storeBytes(of: v(x, y), toByteOffset: i &* 4, as: V.self)
            i &+= 8
        }
        while i < n {
            dst[i] = s(lhs[i], rhs[i])
            i &+= 1
        }
    }

    /// Whether `shape`, without leading ones, equals the trailing dims of `full`.
    private static func isTrailing(_ shape: [Int], of full: [Int]) -> Bool {
        let trimmed = shape.drop(while: { $0 == 1 })
        guard trimmed.count <= full.count else { return false }
        return Array(full.suffix(trimmed.count)) == Array(trimmed)
    }
}
