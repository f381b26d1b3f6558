import Foundation

/// In-place parameter updates with `torch.optim`'s exact formulas, shared by the eager
/// optimizers and the graph's optimizer train ops so the two frontends step identically.
public enum OptimizerKernels {
    /// One SGD step (torch.optim.SGD):
    ///
    ///     d = grad + weightDecay * param
    ///     buf = d                                          (first step)
    ///     buf = momentum * buf + (1 - dampening) * d       (later steps)
    ///     d = nesterov ? d + momentum * buf : buf          (when momentum != 0)
    ///     param -= lr * d
    ///
    /// `momentumBuffer` is nil before the first step and is created by it when momentum != 0.
    public static func sgd(
        param: inout NDArray, grad: NDArray, momentumBuffer: inout NDArray?,
        lr: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
    ) {
        precondition(param.shape == grad.shape, "SGD: parameter \(param.shape) and gradient \(grad.shape) differ")
        let n = param.count
        let g = grad.contiguous()
        let pg = UnsafePointer(g.storage.pointer + g.offset)
        let shape = param.shape
        // NOTE: each case is its own branch-free loop over SIMD vectors (the branches hoisted out),
        // split across cores: with the flags inside the loop it ran at ~2.4 ns per element and
        // took half of an MLP training step.
        param.withUnsafeMutableBufferPointer { p in
            let p = p.baseAddress!
            if momentum == 0 {
                if weightDecay == 0 {
                    Elementwise.zip(n, p, pg, p, { w, d in w - lr * d }, { w, d in w - lr * d })
                } else {
                    Elementwise.zip(n, p, pg, p, { w, d in w - lr * (d + weightDecay * w) }, { w, d in w - lr * (d + weightDecay * w) })
                }
                return
            }
            let first = momentumBuffer == nil
            if first { momentumBuffer = NDArray(uninitializedShape: shape) }
            momentumBuffer!.withUnsafeMutableBufferPointer { b in
                let b = b.baseAddress!
                let keep = 1 - dampening
                Parallel.chunks(n) { range in
                    let p = p + range.lowerBound, b = b + range.lowerBound, pg = pg + range.lowerBound
                    let count = range.count
                    if first {
                        for i in 0..<count {
                            let d = pg[i] + weightDecay * p[i]
                            b[i] = d
                            p[i] -= lr * (nesterov ? d + momentum * d : d)
                        }
                    } else if nesterov {
                        for i in 0..<count {
                            let d = pg[i] + weightDecay * p[i]
                            let v = momentum * b[i] + keep * d
                            b[i] = v
                            p[i] -= lr * (d + momentum * v)
                        }
                    } else {
                        for i in 0..<count {
                            let d = pg[i] + weightDecay * p[i]
                            let v = momentum * b[i] + keep * d
                            b[i] = v
                            p[i] -= lr * v
                        }
                    }
                }
            }
        }
        withExtendedLifetime(g) {}
    }

    /// One SGD step whose gradient is the matrix product `a · b` ([m, k] · [k, n], the shape of
    /// `param`), computed inside the update so the gradient is never stored: a graph's fused
    /// weight update, where a weight's gradient is a GEMM read only by its optimizer.
    ///
    /// torch.optim.SGD's formula with dampening 0 and nesterov off (its defaults):
    ///
    ///     momentum 0:   param = (1 - lr * weightDecay) * param - lr * (a · b)       one GEMM into param
    ///     momentum:     buf = a · b                        (first step: GEMM with beta 0)
    ///                   buf = momentum * buf + a · b       (later: GEMM with beta = momentum)
    ///                   buf += weightDecay * param;  param -= lr * buf              one vectorised pass
    ///
    /// The GEMM adds its products to the scaled destination in one rounding, where the
    /// materialised path rounds the product first, so results agree with ``sgd(param:grad:momentumBuffer:lr:momentum:dampening:weightDecay:nesterov:)``
    /// to float rounding, not bit for bit. Transposed views of dense matrices (what the `linear`
    /// and `matmul` gradient rules produce) go to BLAS as flags, without a copy.
    ///
    /// - Parameters:
    ///   - param: the parameter, updated in place (copied first only if its storage is shared).
    ///   - a: the left factor of the gradient, `[m, k]`.
    ///   - b: the right factor of the gradient, `[k, n]`.
    ///   - momentumBuffer: nil before the first step; created by it when momentum != 0.
    ///   - lr: the learning rate.
    ///   - momentum: the momentum factor (0: plain gradient descent).
    ///   - weightDecay: the L2 penalty added to the gradient.
    ///
    /// ```swift
    /// // w -= 0.1 * xᵀ · g, without an [in, out] gradient array
    /// OptimizerKernels.sgd(param: &w, productOf: x.transposed(0, 1), and: g, momentumBuffer: &buffer, lr: 0.1)
    /// ```
    public static func sgd(
        param: inout NDArray, productOf a: NDArray, and b: NDArray, momentumBuffer: inout NDArray?,
        lr: Float, momentum: Float = 0, weightDecay: Float = 0
    ) {
        precondition(
            a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0] && param.shape == [a.shape[0], b.shape[1]],
            "SGD: gradient product \(a.shape) · \(b.shape) does not give the parameter's shape \(param.shape)")
        let start = Profiler.isEnabled ? Profiler.now() : 0
        defer { if Profiler.isEnabled { Profiler.record("sgd_gemm_update", since: start) } }
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        if k == 0 {
            // An empty batch: the gradient is zero (BLAS would not be called with k = 0).
            sgd(param: &param, grad: NDArray(zeros: param.shape), momentumBuffer: &momentumBuffer,
                lr: lr, momentum: momentum, weightDecay: weightDecay)
            return
        }
        let (opA, keepA) = Matmul.operand(a), (opB, keepB) = Matmul.operand(b)
        let count = param.count
        let shape = param.shape
        param.withUnsafeMutableBufferPointer { p in
            let p = p.baseAddress!
            if momentum == 0 {
                withExtendedLifetime(keepA) { withExtendedLifetime(keepB) {
                    if count > 0 { Matmul.gemm(opA, opB, m: m, n: n, k: k, out: p, alpha: -lr, beta: 1 - lr * weightDecay) }
                } }
                return
            }
            let first = momentumBuffer == nil
            if first { momentumBuffer = NDArray(uninitializedShape: shape) }
            momentumBuffer!.withUnsafeMutableBufferPointer { buffer in
                let buf = buffer.baseAddress!
                withExtendedLifetime(keepA) { withExtendedLifetime(keepB) {
                    if count > 0 { Matmul.gemm(opA, opB, m: m, n: n, k: k, out: buf, beta: first ? 0 : momentum) }
                } }
                if weightDecay == 0 {
                    Elementwise.zip(count, p, buf, p, Descend(lr: lr))
                    return
                }
                Parallel.chunks(count) { range in
                    for i in range {
                        let v = buf[i] + weightDecay * p[i]
                        buf[i] = v
                        p[i] -= lr * v
                    }
                }
            }
        }
    }

    /// One Adam step (torch.optim.Adam, `amsgrad=False`), with `step` counting from 1:
    ///
    ///     g = grad + weightDecay * param
    ///     m = beta1 * m + (1 - beta1) * g
    ///     v = beta2 * v + (1 - beta2) * g²
    ///     param -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
    public static func adam(
        param: inout NDArray, grad: NDArray, m: inout NDArray, v: inout NDArray, step: Int,
        lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0
    ) {
        precondition(param.shape == grad.shape, "Adam: parameter \(param.shape) and gradient \(grad.shape) differ")
        let start = Profiler.isEnabled ? Profiler.now() : 0
        defer { if Profiler.isEnabled { Profiler.record("adam_update", since: start) } }
        let n = param.count
        let g = grad.contiguous()
        let pg = g.storage.pointer + g.offset
        let correction1 = 1 - Foundation.powf(beta1, Float(step))
        let correction2Root = (1 - Foundation.powf(beta2, Float(step))).squareRoot()
        let stepSize = lr / correction1
        param.withUnsafeMutableBufferPointer { p in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    let (p, m, v) = (p.baseAddress!, m.baseAddress!, v.baseAddress!)
                    Parallel.chunks(n) { range in
                        for i in range {
                            let d = pg[i] + weightDecay * p[i]
                            m[i] += (d - m[i]) * (1 - beta1)  // torch: m.lerp_(grad, 1 - beta1)
                            v[i] = beta2 * v[i] + (1 - beta2) * d * d
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + eps)
                        }
                    }
                }
            }
        }
        withExtendedLifetime(g) {}
    }

    /// The total L2 norm of several gradients (`clip_grad_norm_`'s norm).
    public static func totalNorm(_ grads: [NDArray]) -> Float {
        var total: Double = 0
        for grad in grads {
            grad.withUnsafeBufferPointer { b in for x in b { total += Double(x) * Double(x) } }
        }
        return Float(total.squareRoot())
    }

    /// Multiplies an array by a scalar in place.
    public static func scale(_ array: inout NDArray, by factor: Float) {
        let n = array.count
        array.withUnsafeMutableBufferPointer { b in
            Elementwise.unary(.mulScalar(factor), n, b.baseAddress!, b.baseAddress!)
        }
    }

    /// accumulator += addend (same shape), in place: gradient accumulation.
    public static func accumulate(_ accumulator: inout NDArray, _ addend: NDArray) {
        precondition(accumulator.shape == addend.shape, "accumulate: \(accumulator.shape) vs \(addend.shape)")
        let start = Profiler.isEnabled ? Profiler.now() : 0
        defer { if Profiler.isEnabled { Profiler.record("accumulate", since: start) } }
        let n = accumulator.count
        let a = addend.contiguous()
        accumulator.withUnsafeMutableBufferPointer { b in
            Elementwise.zip(n, b.baseAddress!, a.storage.pointer + a.offset, b.baseAddress!, { $0 + $1 }, { $0 + $1 })
        }
        withExtendedLifetime(a) {}
    }

    /// Whether every element is finite (no NaN or infinity): anomaly and check-numerics modes.
    public static func isFinite(_ array: NDArray) -> Bool {
        array.withUnsafeBufferPointer { b in b.allSatisfy { $0.isFinite } }
    }
}

/// w - lr * v, as a generic kernel so the loop specialises (a closure costs an indirect call
/// per vector, a third of this memory-bound pass).
private struct Descend: BinaryKernel {
    let lr: Float
    @inline(__always) func vector(_ w: SIMD8<Float>, _ v: SIMD8<Float>) -> SIMD8<Float> { w - lr * v }
    @inline(__always) func scalar(_ w: Float, _ v: Float) -> Float { w - lr * v }
}
