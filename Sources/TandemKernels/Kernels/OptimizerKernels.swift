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
