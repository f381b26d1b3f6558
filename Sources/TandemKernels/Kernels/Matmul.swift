import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`.
///
/// A transposed view of a dense matrix (what `transpose(-1, -2)` returns) is passed to BLAS as
/// a transpose flag, not copied, so the backward pass's `g wᵀ` and `xᵀ g` cost one GEMM each.
enum Matmul {
    /// How a matrix operand is laid out for BLAS.
    struct Operand {
        let pointer: UnsafePointer<Float>
        let transposed: Bool
        let leadingDimension: Int
        let batchStride: Int
    }

    /// Describes the last two dims of `x` for BLAS, copying only when they are neither dense nor
    /// a dense transpose. Returns the operand and, when a copy was made, the copy that keeps its
    /// memory alive (nil when the operand points into `x`, which the caller keeps alive: not
    /// returning `x` saves the retains of a copy, a visible cost on small matrices).
    static func operand(_ x: NDArray) -> (Operand, NDArray?) {
        let r = x.rank
        let rows = x.shape[r - 2], cols = x.shape[r - 1]
        let p = UnsafePointer(x.storage.pointer + x.offset)
        // NOTE: the dense case is decided without `strides`, which builds an array per call:
        // at n = 64 that allocation was a measurable share of a whole GEMM.
        if x.isContiguous {
            return (Operand(pointer: p, transposed: false, leadingDimension: Swift.max(cols, 1), batchStride: rows * cols), nil)
        }
        let strides = x.strides
        let sr = strides[r - 2], sc = strides[r - 1]
        let batchOK = r == 2 || isDenseBatch(x)
        if batchOK && (sc == 1 || cols == 1) && (sr == cols || rows == 1) {
            return (Operand(pointer: p, transposed: false, leadingDimension: Swift.max(cols, 1), batchStride: rows * cols), nil)
        }
        if batchOK && (sr == 1 || rows == 1) && (sc == rows || cols == 1) {
            return (Operand(pointer: p, transposed: true, leadingDimension: Swift.max(rows, 1), batchStride: rows * cols), nil)
        }
        let dense = x.contiguous()
        return (
            Operand(
                pointer: UnsafePointer(dense.storage.pointer + dense.offset), transposed: false,
                leadingDimension: Swift.max(cols, 1), batchStride: rows * cols), dense
        )
    }

    /// Whether the batch dims are densely packed matrices (stride = rows * cols, row-major).
    private static func isDenseBatch(_ x: NDArray) -> Bool {
        let r = x.rank, strides = x.strides
        var expected = x.shape[r - 2] * x.shape[r - 1]
        for axis in stride(from: r - 3, through: 0, by: -1) where x.shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= x.shape[axis]
        }
        return true
    }

    /// out = a · b for shapes [..., m, k] x [..., k, n] (batch dims equal, or one side a matrix).
    static func forward(_ a: NDArray, _ b: NDArray, outShape: [Int], into out: UnsafeMutablePointer<Float>) {
        let (opA, keepA) = operand(a), (opB, keepB) = operand(b)
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        var batch = 1
        for axis in 0..<(outShape.count - 2) { batch *= outShape[axis] }
        // Two nested lifetimes, not one over a tuple: a tuple's type metadata is looked up at
        // run time behind a lock, which cost more than a small GEMM.
        withExtendedLifetime(keepA) { withExtendedLifetime(keepB) {
            if m == 0 || n == 0 { return }
            if k == 0 {
                out.initialize(repeating: 0, count: batch * m * n)
                return
            }
            let strideA = a.rank == 2 ? 0 : opA.batchStride
            let strideB = b.rank == 2 ? 0 : opB.batchStride
            if strideA == 0 && a.rank == 2 && b.rank == 2 {
                gemm(opA, opB, m: m, n: n, k: k, out: out, beta: 0)
                return
            }
            for i in 0..<batch {
                gemm(
                    Operand(pointer: opA.pointer + i * strideA, transposed: opA.transposed, leadingDimension: opA.leadingDimension, batchStride: 0),
                    Operand(pointer: opB.pointer + i * strideB, transposed: opB.transposed, leadingDimension: opB.leadingDimension, batchStride: 0),
                    m: m, n: n, k: k, out: out + i * m * n, beta: 0)
            }
        } }
    }

    /// Tandem's threading policy for BLAS, applied once before the first product: OpenBLAS runs
    /// single-threaded, and a large product is split across Tandem's own workers (`gemm`), so
    /// OpenBLAS's threads never spin against Tandem's parallel loops for the same cores.
    static let threadingPolicy: Void = openblas_set_num_threads(1)

    /// Multiply-adds (m·n·k) from which a product is split across the workers.
    static let parallelWork = 1 << 21

    /// C[m, n] = alpha A[m, k] · B[k, n] + beta C, row-major. Large products are split into row
    /// blocks of C (or column blocks when C has few rows), one per worker, unless `split` is false
    /// (a caller that already runs on one of the workers).
    @inline(__always)
    static func gemm(
        _ a: Operand, _ b: Operand, m: Int, n: Int, k: Int, out: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float,
        split: Bool = true
    ) {
        _ = threadingPolicy
        if !split || Parallel.workers == 1 || m * n * k < parallelWork {
            return blas(a, b, m: m, n: n, k: k, out: out, ldc: n, alpha: alpha, beta: beta)
        }
        if m >= n || m >= 64 {
            Parallel.parts(m, grain: m >= 64 ? 16 : 1) { _, rows in
                let rowsA = a.transposed ? a.pointer + rows.lowerBound : a.pointer + rows.lowerBound * a.leadingDimension
                blas(Operand(pointer: rowsA, transposed: a.transposed, leadingDimension: a.leadingDimension, batchStride: 0), b,
                     m: rows.count, n: n, k: k, out: out + rows.lowerBound * n, ldc: n, alpha: alpha, beta: beta)
            }
        } else {
            Parallel.parts(n, grain: n >= 64 ? 16 : 1) { _, columns in
                let columnsB = b.transposed ? b.pointer + columns.lowerBound * b.leadingDimension : b.pointer + columns.lowerBound
                blas(a, Operand(pointer: columnsB, transposed: b.transposed, leadingDimension: b.leadingDimension, batchStride: 0),
                     m: m, n: columns.count, k: k, out: out + columns.lowerBound, ldc: n, alpha: alpha, beta: beta)
            }
        }
    }

    /// One `cblas_sgemm` call writing C with leading dimension `ldc`.
    @inline(__always)
    private static func blas(
        _ a: Operand, _ b: Operand, m: Int, n: Int, k: Int, out: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
    ) {
        cblas_sgemm(
            CblasRowMajor, a.transposed ? CblasTrans : CblasNoTrans, b.transposed ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a.pointer, Int32(a.leadingDimension),
            b.pointer, Int32(b.leadingDimension), beta, out, Int32(ldc))
    }

    /// The fused affine layer: out = act(x wᵀ + b) (or x w + b). The bias is written first and
    /// GEMM accumulates onto it (beta = 1); the activation is one pass over the output.
    static func linear(
        _ x: NDArray, _ w: NDArray, _ bias: NDArray, transposedWeight: Bool, activation: Activation,
        into out: UnsafeMutablePointer<Float>
    ) {
        let rows = x.shape[0], inFeatures = x.shape[1]
        let outFeatures = transposedWeight ? w.shape[0] : w.shape[1]
        let denseBias = bias.contiguous()
        let pb = denseBias.storage.pointer + denseBias.offset
        for r in 0..<rows { (out + r * outFeatures).update(from: pb, count: outFeatures) }
        let weight = transposedWeight ? w.transposed(0, 1) : w
        let (opX, keepX) = operand(x), (opW, keepW) = operand(weight)
        withExtendedLifetime(keepX) { withExtendedLifetime(keepW) {
            if rows > 0 && outFeatures > 0 && inFeatures > 0 {
                gemm(opX, opW, m: rows, n: outFeatures, k: inFeatures, out: out, beta: 1)
            }
        } }
        withExtendedLifetime(denseBias) {}
        let n = rows * outFeatures
        switch activation {
        case .identity: break
        case .relu: Elementwise.unary(.relu, n, out, out)
        case .sigmoid: Elementwise.unary(.sigmoid, n, out, out)
        case .tanh: Elementwise.unary(.tanh, n, out, out)
        }
    }
}
