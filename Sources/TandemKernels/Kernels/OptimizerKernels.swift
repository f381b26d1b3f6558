import Foundation

/// In-place parameter updates with `torch.optim`'s exact formulas, shared by the eager
/// optimizers and the graph's optimizer train ops so the two frontends step identically.
public enum OptimizerKernels {
    /// One SGD step (torch.optim.SGD):
    ///
    ///     d = (maximize ? -grad : grad) + weightDecay * param
    ///     buf = d                                          (first step)
    ///     buf = momentum * buf + (1 - dampening) * d       (later steps)
    ///     d = nesterov ? d + momentum * buf : buf          (when momentum != 0)
    ///     param -= lr * d
    ///
    /// `momentumBuffer` is nil before the first step and is created by it when momentum != 0; an
    /// existing buffer must have the parameter's shape (the optimizers check, with a clear error,
    /// before they call this).
    public static func sgd(
        param: inout NDArray, grad: NDArray, momentumBuffer: inout NDArray?,
        lr: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false,
        maximize: Bool = false
    ) {
        precondition(param.shape == grad.shape, "SGD: parameter \(param.shape) and gradient \(grad.shape) differ")
        precondition(
            momentumBuffer.map { $0.shape == param.shape } ?? true,
            "SGD: momentum buffer \(momentumBuffer!.shape) and parameter \(param.shape) differ")
        let n = param.count
        let g = grad.contiguous()
        let pg = UnsafePointer(g.storage.pointer + g.offset)
        let shape = param.shape
        // Negating a gradient is exact, so multiplying by sign = -1 is torch's `grad = -grad`.
        let sign: Float = maximize ? -1 : 1
        // NOTE: each case is its own branch-free loop over SIMD vectors (the branches hoisted out),
        // split across cores: with the flags inside the loop it ran at ~2.4 ns per element and
        // took half of an MLP training step.
        param.withUnsafeMutableBufferPointer { p in
            let p = p.baseAddress!
            if momentum == 0 {
                if weightDecay == 0 {
                    // lr * (-d) == -(lr * d) exactly, so the sign folds into the step.
                    let step = sign * lr
                    Elementwise.zip(n, p, pg, p, { w, d in w - step * d }, { w, d in w - step * d })
                } else {
                    Elementwise.zip(
                        n, p, pg, p, { w, d in w - lr * (sign * d + weightDecay * w) },
                        { w, d in w - lr * (sign * d + weightDecay * w) })
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
                            let d = sign * pg[i] + weightDecay * p[i]
                            b[i] = d
                            p[i] -= lr * (nesterov ? d + momentum * d : d)
                        }
                    } else if nesterov {
                        for i in 0..<count {
                            let d = sign * pg[i] + weightDecay * p[i]
                            let v = momentum * b[i] + keep * d
                            b[i] = v
                            p[i] -= lr * (d + momentum * v)
                        }
                    } else {
                        for i in 0..<count {
                            let d = sign * pg[i] + weightDecay * p[i]
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

    /// One Adam step (torch.optim.Adam, `amsgrad=False`, no decoupled weight decay), with `step`
    /// counting from 1; see ``adam(param:grad:m:v:maxSquare:step:lr:beta1:beta2:eps:weightDecay:decoupledWeightDecay:amsgrad:maximize:)``.
    public static func adam(
        param: inout NDArray, grad: NDArray, m: inout NDArray, v: inout NDArray, step: Int,
        lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0
    ) {
        var none: NDArray? = nil
        adam(
            param: &param, grad: grad, m: &m, v: &v, maxSquare: &none, step: step, lr: lr, beta1: beta1, beta2: beta2,
            eps: eps, weightDecay: weightDecay)
    }

    /// One Adam or AdamW step (torch.optim.Adam / torch.optim.AdamW, every option), with `step`
    /// counting from 1:
    ///
    ///     g = maximize ? -grad : grad
    ///     param *= 1 - lr * weightDecay             (AdamW: decoupledWeightDecay)
    ///     g += weightDecay * param                  (Adam: L2 penalty in the gradient)
    ///     m = lerp(m, g, 1 - beta1)
    ///     v = beta2 * v + (1 - beta2) * g²
    ///     maxSquare = max(maxSquare, v)             (amsgrad; the denominator then reads maxSquare)
    ///     param -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
    ///
    /// The bias corrections are computed in Double, as torch computes them in Python floats.
    /// `maxSquare` must exist (zeros before the first step) exactly when `amsgrad` is set; every
    /// buffer has the parameter's shape.
    public static func adam(
        param: inout NDArray, grad: NDArray, m: inout NDArray, v: inout NDArray, maxSquare: inout NDArray?, step: Int,
        lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0,
        decoupledWeightDecay: Bool = false, amsgrad: Bool = false, maximize: Bool = false
    ) {
        precondition(param.shape == grad.shape, "Adam: parameter \(param.shape) and gradient \(grad.shape) differ")
        precondition(
            m.shape == param.shape && v.shape == param.shape && (maxSquare?.shape ?? param.shape) == param.shape,
            "Adam: moment buffers \(m.shape), \(v.shape) and parameter \(param.shape) differ")
        precondition(amsgrad == (maxSquare != nil), "Adam: amsgrad needs exactly one max_exp_avg_sq buffer")
        precondition(step >= 1, "Adam: step counts from 1")
        let start = Profiler.isEnabled ? Profiler.now() : 0
        defer { if Profiler.isEnabled { Profiler.record("adam_update", since: start) } }
        let n = param.count
        let g = grad.contiguous()
        let pg = UnsafePointer(g.storage.pointer + g.offset)
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let correction2Root = Float((1 - Foundation.pow(Double(beta2), Double(step))).squareRoot())
        let stepSize = Float(Double(lr) / correction1)
        // Multiplying by 1 and adding 0 * param are exact, so one loop serves Adam and AdamW.
        let shrink = decoupledWeightDecay ? Float(1 - Double(lr) * Double(weightDecay)) : 1
        let l2 = decoupledWeightDecay ? 0 : weightDecay
        let sign: Float = maximize ? -1 : 1
        let update = AdamUpdate(
            p: mutablePointer(&param), g: pg, m: mutablePointer(&m), v: mutablePointer(&v),
            maxSquare: maxSquare == nil ? nil : mutablePointer(&maxSquare!), shrink: shrink, l2: l2, sign: sign,
            mix: Lerp(weight: 1 - beta1), beta2: beta2, stepSize: stepSize, correction2Root: correction2Root, eps: eps)
        Parallel.chunks(n) { range in forEachLane(range, update) }
        withExtendedLifetime(g) {}
    }

    /// One RMSprop step (torch.optim.RMSprop, every option):
    ///
    ///     g = (maximize ? -grad : grad) + weightDecay * param
    ///     squareAverage = alpha * squareAverage + (1 - alpha) * g²
    ///     gradAverage = lerp(gradAverage, g, 1 - alpha)                       (centered)
    ///     avg = sqrt(squareAverage - gradAverage²) + eps   (centered; else sqrt(squareAverage) + eps)
    ///     buf = momentum * buf + g / avg;  param -= lr * buf                  (momentum > 0)
    ///     param -= lr * g / avg                                                (otherwise)
    ///
    /// The buffers start as zeros (the optimizer creates them); `momentumBuffer` exists exactly
    /// when momentum > 0 and `gradAverage` exactly when centered, each of the parameter's shape.
    public static func rmsprop(
        param: inout NDArray, grad: NDArray, squareAverage: inout NDArray, momentumBuffer: inout NDArray?,
        gradAverage: inout NDArray?, lr: Float, alpha: Float = 0.99, eps: Float = 1e-8, weightDecay: Float = 0,
        momentum: Float = 0, maximize: Bool = false
    ) {
        precondition(param.shape == grad.shape, "RMSprop: parameter \(param.shape) and gradient \(grad.shape) differ")
        precondition(
            squareAverage.shape == param.shape && (momentumBuffer?.shape ?? param.shape) == param.shape
                && (gradAverage?.shape ?? param.shape) == param.shape,
            "RMSprop: state buffers and parameter \(param.shape) differ")
        precondition((momentum > 0) == (momentumBuffer != nil), "RMSprop: a momentum buffer exists exactly when momentum > 0")
        let start = Profiler.isEnabled ? Profiler.now() : 0
        defer { if Profiler.isEnabled { Profiler.record("rmsprop_update", since: start) } }
        let n = param.count
        let g = grad.contiguous()
        let pg = UnsafePointer(g.storage.pointer + g.offset)
        let sign: Float = maximize ? -1 : 1
        let update = RMSpropUpdate(
            p: mutablePointer(&param), g: pg, squareAverage: mutablePointer(&squareAverage),
            momentumBuffer: momentumBuffer == nil ? nil : mutablePointer(&momentumBuffer!),
            gradAverage: gradAverage == nil ? nil : mutablePointer(&gradAverage!), sign: sign, weightDecay: weightDecay,
            alpha: alpha, mix: Lerp(weight: 1 - alpha), eps: eps, momentum: momentum, lr: lr)
        Parallel.chunks(n) { range in forEachLane(range, update) }
        withExtendedLifetime(g) {}
    }

    /// The factor `clip_grad_norm_` scales gradients by: `maxNorm / (norm + 1e-6)`, at most 1
    /// (torch's clamp; multiplying by exactly 1 changes nothing). Shared by the eager
    /// `clipGradNorm` and the graph's `clipByGlobalNorm`, so both clip identically.
    public static func clipCoefficient(norm: Float, maxNorm: Float) -> Float {
        Swift.min(maxNorm / (norm + 1e-6), 1)
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

extension OptimizerKernels {
    /// The elements of `array` for writing in place: its storage made unique and contiguous
    /// first (copy-on-write), valid while `array` is not reassigned.
    fileprivate static func mutablePointer(_ array: inout NDArray) -> UnsafeMutablePointer<Float> {
        array.makeUniqueAndContiguous()
        return array.storage.pointer
    }
}

/// w - lr * v, as a generic kernel so the loop specialises (a closure costs an indirect call
/// per vector, a third of this memory-bound pass).
private struct Descend: BinaryKernel {
    let lr: Float
    @inline(__always) func vector(_ w: SIMD8<Float>, _ v: SIMD8<Float>) -> SIMD8<Float> { w - lr * v }
    @inline(__always) func scalar(_ w: Float, _ v: Float) -> Float { w - lr * v }
}
