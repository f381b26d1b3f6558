/// Why a kernel rejected a value (a fractional label, a probability outside [0, 1]).
public struct ValueRuleError: Error, Equatable {
    /// What is wrong, in words.
    public let reason: String
    /// Creates an error with a reason.
    public init(_ reason: String) { self.reason = reason }
}

extension Op {
    /// Checks the inputs' shapes and values, then computes the op: the one forward path both
    /// frontends use. Errors name the op, the input shapes and `location`.
    ///
    /// - Parameters:
    ///   - inputs: `arity` arrays.
    ///   - location: the user's source line, quoted in errors.
    ///   - output: a buffer to write into when it is large enough (a memory planner's reuse);
    ///     ignored by view ops, which return views of their input.
    public func evaluate(_ inputs: [NDArray], at location: SourceLocation? = nil, reusing output: Storage? = nil) throws(TandemError) -> NDArray {
        do {
            if Profiler.isEnabled {
                let start = Profiler.now()
                defer { Profiler.record(name, since: start) }
                return try compute(inputs, reusing: output)
            }
            return try compute(inputs, reusing: output)
        } catch let error as ShapeRuleError {
            throw .shapeMismatch(op: name, shapes: inputs.map { $0.shape.map(Optional.some) }, reason: error.reason, location: location)
        } catch let error as ValueRuleError {
            throw .invalidValue(op: name, reason: error.reason, location: location)
        } catch {
            throw .invalidValue(op: name, reason: "\(error)", location: location)
        }
    }

    private func compute(_ inputs: [NDArray], reusing output: Storage?) throws -> NDArray {
        let outShape = try fastOutputShape(inputs) ?? outputShape(inputs.map(\.shape))
        let count = outShape.reduce(1, *)
        func allocate() -> NDArray {
            if let output, output.capacity >= count { return NDArray(storage: output, shape: outShape) }
            return NDArray(uninitializedShape: outShape)
        }
        func dense(_ i: Int) -> (NDArray, UnsafePointer<Float>) {
            let array = inputs[i].contiguous()
            return (array, UnsafePointer(array.storage.pointer + array.offset))
        }
        let x = inputs[0]

        func binary(_ kind: Elementwise.Binary) -> NDArray {
            let out = allocate()
            Elementwise.binary(kind, inputs[0], inputs[1], outShape: outShape, into: out.storage.pointer)
            return out
        }

        switch self {
        case .add: return binary(.add)
        case .sub: return binary(.sub)
        case .mul: return binary(.mul)
        case .div: return binary(.div)
        case .less: return binary(.less)
        case .greater: return binary(.greater)
        case .equal: return binary(.equal)
        case .reluBackward: return binary(.reluBackward)
        case .geluBackward: return binary(.geluBackward)
        case let .clampBackward(low, high): return binary(.clampBackward(low: low ?? -.infinity, high: high ?? .infinity))
        case .leakyReluBackward(let slope): return binary(.leakyReluBackward(slope: slope))
        case .movingAverage(let momentum): return binary(.movingAverage(momentum: momentum))

        case .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar,
            .mulScalar, .pow:
            let (src, p) = dense(0)
            let out = allocate()
            withExtendedLifetime(src) { Elementwise.unary(ElementwiseStep(self)!, count, p, out.storage.pointer) }
            return out
        case .fusedElementwise(let steps):
            let (src, p) = dense(0)
            let out = allocate()
            withExtendedLifetime(src) { Elementwise.fused(steps, count, p, out.storage.pointer) }
            return out

        case let .sum(dim, _), let .mean(dim, _):
            let (src, p) = dense(0)
            let out = allocate()
            let isMean: Bool = if case .mean = self { true } else { false }
            try withExtendedLifetime(src) {
                if let dim {
                    let (outer, n, inner) = Reduction.split(x.shape, try normalize(dim, rank: x.rank))
                    let scale: Float = isMean ? 1 / Float(n) : 1
                    Reduction.sum(p, outer: outer, n: n, inner: inner, scale: scale, into: out.storage.pointer)
                } else {
                    let total = Reduction.sumAll(p, x.count)
                    out.storage.pointer[0] = isMean ? total / Float(x.count) : total
                }
            }
            return out
        case .max(let dim, _), .maxBackward(let dim, _):
            // max reads x (input 0); maxBackward reads g (input 0) and x (input 1).
            let isMax: Bool = if case .max = self { true } else { false }
            let (src, p) = dense(isMax ? 0 : 1)
            let shape = src.shape
            let (outer, n, inner) = try dim.map { Reduction.split(shape, try normalize($0, rank: shape.count)) } ?? (1, src.count, 1)
            if isMax {
                // An empty dim is rejected by the shape rule; an empty array reduced over a
                // non-empty dim is simply empty (PyTorch), only the max of nothing at all fails.
                if dim == nil && src.count == 0 { throw ValueRuleError("cannot take the max of an empty array") }
                let out = allocate()
                withExtendedLifetime(src) {
                    Reduction.max(p, outer: outer, n: n, inner: inner, into: out.storage.pointer, indices: nil)
                }
                return out
            }
            let indices = Storage(capacity: outer * inner)
            withExtendedLifetime(src) { Reduction.max(p, outer: outer, n: n, inner: inner, into: nil, indices: indices.pointer) }
            let (g, pg) = dense(0)
            let out = allocate()
            let o = out.storage.pointer
            o.initialize(repeating: 0, count: count)
            withExtendedLifetime(g) {
                for a in 0..<outer {
                    for i in 0..<inner {
                        let k = Int(indices.pointer[a * inner + i])
                        o[(a * n + k) * inner + i] = pg[a * inner + i]
                    }
                }
            }
            return out
        case .argmax(let dim):
            let (src, p) = dense(0)
            let (outer, n, inner) = Reduction.split(src.shape, try normalize(dim, rank: src.rank))
            let out = allocate()
            withExtendedLifetime(src) {
                Reduction.max(p, outer: outer, n: n, inner: inner, into: nil, indices: out.storage.pointer)
            }
            return out
        case let .expandLike(dim, _, mean):
            var g = inputs[0]
            var n = count
            if let dim {
                let axis = try normalize(dim, rank: outShape.count)
                n = outShape[axis]
                // g may come with or without the reduced dim (the shape rule accepts both).
                var kept = outShape
                kept[axis] = 1
                if g.shape != kept { g = g.reshaped(kept) }
            } else {
                g = g.reshaped(outShape.map { _ in 1 })
            }
            let out = allocate()
            copyStrided(from: g.broadcast(to: outShape), into: out.storage.pointer)
            if mean && n > 0 { Elementwise.unary(.mulScalar(1 / Float(n)), count, out.storage.pointer, out.storage.pointer) }
            return out

        case .reshape, .flatten, .reshapeLike:
            return x.reshaped(outShape)
        case let .transpose(a, b):
            return x.transposed(try normalize(a, rank: x.rank), try normalize(b, rank: x.rank))
        case .broadcastLike:
            if x.shape == outShape { return x }
            let out = allocate()
            copyStrided(from: x.broadcast(to: outShape), into: out.storage.pointer)
            return out
        case .reduceLike:
            return reduce(x, to: outShape)
        case let .narrow(dim, start, length):
            let axis = try normalize(dim, rank: x.rank)
            return x.narrowed(axis, start: start < 0 ? start + x.shape[axis] : start, length: length)
        case let .narrowBackward(dim, start, _):
            let axis = try normalize(dim, rank: outShape.count)
            let out = allocate()
            Indexing.narrowBackward(x, shape: outShape, axis: axis, start: start < 0 ? start + outShape[axis] : start, into: out.storage.pointer)
            return out
        case .permute(let dims):
            return x.permuted(try dims.map { try normalize($0, rank: x.rank) })
        case .squeeze(let dim):
            if x.rank == 0 || outShape.count == x.rank { return x }
            return x.squeezed(try normalize(dim, rank: x.rank))
        case .unsqueeze(let dim):
            return x.unsqueezed(try normalize(dim, rank: x.rank + 1))

        case .indexSelect(let dim):
            let axis = try normalize(dim, rank: x.rank)
            let index = try Indexing.indices(inputs[1], bound: x.shape[axis], what: "index")
            let out = allocate()
            Indexing.select(x, axis: axis, index: index, into: out.storage.pointer)
            return out
        case .indexSelectBackward(let dim):
            let axis = try normalize(dim, rank: outShape.count)
            let index = try Indexing.indices(inputs[1], bound: outShape[axis], what: "index")
            let out = allocate()
            Indexing.selectBackward(x, shape: outShape, axis: axis, index: index, into: out.storage.pointer)
            return out
        case .cat(let dim, _):
            let axis = try normalize(dim, rank: x.rank)
            let out = allocate()
            Indexing.join(inputs, outer: outShape[..<axis].reduce(1, *),
                          blockSizes: inputs.map { $0.shape[axis...].reduce(1, *) }, into: out.storage.pointer)
            return out
        case let .catBackward(dim, index, _):
            let axis = try normalize(dim, rank: x.rank)
            let start = inputs[1..<(index + 1)].reduce(0) { $0 + $1.shape[axis] }
            return x.narrowed(axis, start: start, length: outShape[axis])
        case .stack(let dim, _):
            let axis = try normalize(dim, rank: x.rank + 1)
            let out = allocate()
            Indexing.join(inputs, outer: outShape[..<axis].reduce(1, *),
                          blockSizes: inputs.map { $0.shape[axis...].reduce(1, *) }, into: out.storage.pointer)
            return out
        case .embedding:
            let weight = inputs[1]
            let index = try Indexing.indices(x, bound: weight.shape[0], what: "index")
            let out = allocate()
            Indexing.select(weight, axis: 0, index: index, into: out.storage.pointer)
            return out
        case .embeddingBackward:
            let index = try Indexing.indices(inputs[1], bound: outShape[0], what: "index")
            let out = allocate()
            Indexing.selectBackward(x.reshaped([index.count, outShape[1]]), shape: outShape, axis: 0, index: index, into: out.storage.pointer)
            return out

        case .matmul:
            let out = allocate()
            Matmul.forward(inputs[0], inputs[1], outShape: outShape, into: out.storage.pointer)
            return out
        case let .linear(transposed, activation):
            let out = allocate()
            Matmul.linear(inputs[0], inputs[1], inputs[2], transposedWeight: transposed, activation: activation, into: out.storage.pointer)
            return out

        case .softmax(let dim), .logSoftmax(let dim):
            let out = allocate()
            let isLog: Bool = if case .logSoftmax = self { true } else { false }
            Softmax.forward(x, axis: try normalize(dim, rank: x.rank), log: isLog, into: out.storage.pointer)
            return out
        case let .conv2d(stride, padding):
            let out = allocate()
            let g = Convolution.Geometry(input: x.shape, weight: inputs[1].shape, stride: stride, padding: padding)
            Convolution.forward(x, inputs[1], g, into: out.storage.pointer)
            return out
        case let .conv2dBackwardInput(stride, padding):
            try requireSame(inputs[0].shape, try Op.conv2d(stride: stride, padding: padding).outputShape([inputs[2].shape, inputs[1].shape]))
            let out = allocate()
            let g = Convolution.Geometry(input: inputs[2].shape, weight: inputs[1].shape, stride: stride, padding: padding)
            Convolution.backwardInput(inputs[0], inputs[1], g, into: out.storage.pointer)
            return out
        case let .conv2dBackwardWeight(stride, padding):
            try requireSame(inputs[1].shape, try Op.conv2d(stride: stride, padding: padding).outputShape([inputs[0].shape, inputs[2].shape]))
            let out = allocate()
            let g = Convolution.Geometry(input: inputs[0].shape, weight: inputs[2].shape, stride: stride, padding: padding)
            Convolution.backwardWeight(inputs[0], inputs[1], g, into: out.storage.pointer)
            return out
        case let .maxPool2d(k, s):
            let out = allocate()
            Pooling.maxForward(x, kernel: k, stride: s, outShape: outShape, into: out.storage.pointer)
            return out
        case let .maxPool2dBackward(k, s):
            try requireSame(inputs[0].shape, try Op.maxPool2d(kernelSize: k, stride: s).outputShape([inputs[1].shape]))
            let out = allocate()
            Pooling.maxBackward(inputs[0], inputs[1], kernel: k, stride: s, into: out.storage.pointer)
            return out
        case let .avgPool2d(k, s, p):
            let out = allocate()
            Pooling.avgForward(x, kernel: k, stride: s, padding: p, outShape: outShape, into: out.storage.pointer)
            return out
        case let .avgPool2dBackward(k, s, p):
            let out = allocate()
            Pooling.avgBackward(x, inputShape: outShape, kernel: k, stride: s, padding: p, into: out.storage.pointer)
            return out

        case .batchStatistics:
            let out = allocate()
            Normalization.statistics(x, into: out.storage.pointer)
            return out
        case .batchStatisticsBackward:
            let out = allocate()
            Normalization.statisticsBackward(x, inputs[1], inputs[2], into: out.storage.pointer)
            return out
        case let .batchNorm(eps, affine):
            let out = allocate()
            Normalization.normalize(
                x, mean: inputs[1], variance: inputs[2], weight: affine ? inputs[3] : nil, bias: affine ? inputs[4] : nil,
                eps: eps, into: out.storage.pointer)
            return out
        case .batchNormBackwardReduce(let eps):
            let out = allocate()
            Normalization.backwardReduce(x, inputs[1], mean: inputs[2], variance: inputs[3], eps: eps, into: out.storage.pointer)
            return out
        case .batchNormBackwardInput:
            let out = allocate()
            Normalization.scaleChannels(x, scale: inputs[1], into: out.storage.pointer)
            return out
        case let .layerNorm(normalizedShape, eps, affine):
            let out = allocate()
            Normalization.layerNorm(
                x, rowSize: normalizedShape.reduce(1, *), weight: affine ? inputs[1] : nil, bias: affine ? inputs[2] : nil,
                eps: eps, into: out.storage.pointer)
            return out
        case let .layerNormBackward(normalizedShape, eps, affine):
            let out = allocate()
            Normalization.layerNormBackward(
                x, inputs[1], rowSize: normalizedShape.reduce(1, *), weight: affine ? inputs[2] : nil, eps: eps,
                into: out.storage.pointer)
            return out

        case .crossEntropy:
            let labels = try Softmax.labels(inputs[1], classes: x.shape[1])
            let out = allocate()
            out.storage.pointer[0] = Softmax.crossEntropy(x, labels)
            return out
        case .crossEntropyBackward:
            let labels = try Softmax.labels(inputs[1], classes: x.shape[1])
            let out = allocate()
            Softmax.crossEntropyBackward(x, labels, into: out.storage.pointer)
            return out
        case .nllLoss:
            let labels = try Softmax.labels(inputs[1], classes: x.shape[1])
            let out = allocate()
            out.storage.pointer[0] = Losses.nll(x, labels)
            return out
        case .nllLossBackward:
            let labels = try Softmax.labels(inputs[1], classes: x.shape[1])
            let out = allocate()
            Losses.nllBackward(rows: x.shape[0], classes: x.shape[1], labels, into: out.storage.pointer)
            return out
        case .binaryCrossEntropyWithLogits:
            let out = allocate()
            out.storage.pointer[0] = Losses.binaryCrossEntropyWithLogits(x, inputs[1])
            return out

        case .bernoulliMask(let p):
            guard p >= 0 && p <= 1 else { throw ValueRuleError("dropout probability \(p) is not in [0, 1]") }
            let out = allocate()
            Generator.global.fillBernoulliMask(out.storage.pointer, count: count, p: p)
            return out
        case .zerosLike:
            let out = allocate()
            out.storage.pointer.initialize(repeating: 0, count: count)
            return out
        }
    }

    /// The output shape of elementwise ops whose inputs agree, without the general rule's
    /// allocations (this path dominates the eager frontend's small-op overhead).
    @inline(__always)
    private func fastOutputShape(_ inputs: [NDArray]) -> [Int]? {
        switch self {
        case .add, .sub, .mul, .div, .reluBackward:
            return inputs.count == 2 && inputs[0].shape == inputs[1].shape ? inputs[0].shape : nil
        case .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .addScalar, .mulScalar, .pow, .zerosLike:
            return inputs.count == 1 ? inputs[0].shape : nil
        case .matmul:
            // Two matrices with agreeing inner dims; anything else takes the general rule.
            guard inputs.count == 2 else { return nil }
            let a = inputs[0].shape, b = inputs[1].shape
            return a.count == 2 && b.count == 2 && a[1] == b[0] ? [a[0], b[1]] : nil
        case .less, .greater, .equal, .clampBackward, .leakyReluBackward, .geluBackward, .abs, .sign, .leakyRelu,
            .gelu, .clamp, .sum, .mean, .max, .argmax, .expandLike, .maxBackward, .reshape, .flatten, .reshapeLike,
            .transpose, .broadcastLike, .reduceLike, .narrow, .narrowBackward, .permute, .squeeze, .unsqueeze,
            .indexSelect, .indexSelectBackward, .cat, .catBackward, .stack, .embedding, .embeddingBackward, .linear,
            .softmax, .logSoftmax, .conv2d, .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2d,
            .maxPool2dBackward, .avgPool2d, .avgPool2dBackward, .batchStatistics, .batchStatisticsBackward,
            .batchNorm, .batchNormBackwardReduce, .batchNormBackwardInput, .movingAverage, .layerNorm,
            .layerNormBackward, .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward,
            .binaryCrossEntropyWithLogits, .bernoulliMask, .fusedElementwise:
            return nil
        }
    }

    private func requireSame(_ actual: [Int], _ expected: [Int]) throws {
        guard actual == expected else {
            throw ShapeRuleError("gradient has shape \(formatShape(actual)) but the forward output was \(formatShape(expected))")
        }
    }
}

/// Sums `x` down to `target` (the adjoint of broadcasting): reduces every axis where the target
/// (left-padded with ones) has size 1 and x does not. Returns `x` itself when nothing is reduced.
func reduce(_ x: NDArray, to target: [Int]) -> NDArray {
    if x.shape == target { return x }
    let rank = x.rank
    let padded = [Int](repeating: 1, count: rank - target.count) + target
    var current = x.contiguous()
    for axis in 0..<rank where padded[axis] == 1 && current.shape[axis] != 1 {
        let (outer, n, inner) = Reduction.split(current.shape, axis)
        var shape = current.shape
        shape[axis] = 1
        let out = NDArray(uninitializedShape: shape)
        let p = UnsafePointer(current.storage.pointer + current.offset)
        withExtendedLifetime(current) {
            Reduction.sum(p, outer: outer, n: n, inner: inner, scale: 1, into: out.storage.pointer)
        }
        current = out
    }
    return current.reshaped(target)
}
