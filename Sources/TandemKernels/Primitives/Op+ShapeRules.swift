/// Why a shape rule rejected its inputs; frontends wrap it into `TandemError.shapeMismatch` with
/// the op, the shapes and the user's source line.
public struct ShapeRuleError: Error, Equatable {
    /// What is wrong, in words: "inner dimensions differ (3 vs 4)".
    public let reason: String
    /// Creates an error with a reason.
    public init(_ reason: String) { self.reason = reason }
}

/// An unknown dimension in a shape rule (a graph placeholder's `nil`, usually the batch).
public let unknownDim = -1

extension Op {
    /// The output shape for the given input shapes, or the reason they cannot be combined.
    ///
    /// Shapes may hold `unknownDim` (-1) for dimensions known only at run time; the rule then
    /// checks what it can and leaves the rest unknown. Eager calls it with concrete shapes before
    /// computing; the graph calls it when a node is added and again at run time.
    ///
    /// Every input dimension must be non-negative (or unknown) and every shape's element count
    /// must fit (``maximumElementCount``), in and out, so no rule overflows on a huge size.
    public func outputShape(_ shapes: [[Int]]) throws -> [Int] {
        for shape in shapes { try requireAddressable(shape, "input") }
        let output = try ruleOutputShape(shapes)
        try requireAddressable(output, "the result")
        return output
    }

    /// Throws unless every dimension is unknown or non-negative and the known ones' product fits.
    private func requireAddressable(_ shape: [Int], _ what: String) throws {
        if let d = shape.first(where: { $0 < 0 && $0 != unknownDim }) {
            throw ShapeRuleError("\(what) has a negative dimension (\(d)) in shape \(shapeText(shape))")
        }
        guard elementCount(of: shape.filter { $0 != unknownDim }) != nil else {
            throw ShapeRuleError("\(what) shape \(shapeText(shape)) holds more elements than can be addressed")
        }
    }

    /// The rule proper, on shapes already known to be addressable.
    private func ruleOutputShape(_ shapes: [[Int]]) throws -> [Int] {
        guard arity >= 1 else { throw ShapeRuleError("needs at least one input (count \(arity))") }
        guard shapes.count == arity else {
            throw ShapeRuleError("expects \(arity) inputs, got \(shapes.count)")
        }
        let x = shapes[0]
        switch self {
        case .add, .sub, .mul, .div, .less, .greater, .equal, .reluBackward, .clampBackward, .leakyReluBackward,
            .geluBackward:
            return try broadcastShapes(x, shapes[1])
        case .clamp(nil, nil):
            throw ShapeRuleError("at least one of min and max must be given")
        case .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar,
            .mulScalar, .pow, .bernoulliMask, .zerosLike, .fusedElementwise:
            return x

        case let .sum(dim, keepDim), let .mean(dim, keepDim), let .max(dim, keepDim):
            guard let dim else { return keepDim ? x.map { _ in 1 } : [] }
            let axis = try normalize(dim, rank: x.count)
            if x[axis] == 0, case .max = self { throw ShapeRuleError("cannot take the max of an empty dimension") }
            var out = x
            if keepDim { out[axis] = 1 } else { out.remove(at: axis) }
            return out
        case .argmax(let dim):
            let axis = try normalize(dim, rank: x.count)
            if x[axis] == 0 { throw ShapeRuleError("cannot take the argmax of an empty dimension") }
            var out = x
            out.remove(at: axis)
            return out
        case let .expandLike(dim, keepDim, _), let .maxBackward(dim, keepDim):
            try checkReducedGradient(x, like: shapes[1], dim: dim, keepDim: keepDim)
            return shapes[1]
        case .broadcastLike:
            // x must broadcast *to* like's shape exactly (the kernel makes a view of x shaped like
            // `like`), not merely be broadcast-compatible with it.
            let like = shapes[1]
            let fits = x.count <= like.count && zip(x.reversed(), like.reversed()).allSatisfy { a, b in
                a == b || a == 1 || a == unknownDim || b == unknownDim
            }
            guard fits else { throw ShapeRuleError("cannot broadcast \(shapeText(x)) to \(shapeText(like))") }
            return like
        case .reshapeLike:
            if let a = knownCount(x), let b = knownCount(shapes[1]), a != b {
                throw ShapeRuleError("cannot reshape \(a) elements to \(b)")
            }
            return shapes[1]
        case .reduceLike:
            let target = shapes[1]
            let merged = try broadcastShapes(x, target)
            if merged.count != x.count || zip(merged, x).contains(where: { $0 != $1 && $1 != unknownDim }) {
                throw ShapeRuleError("cannot sum \(shapeText(x)) down to \(shapeText(target))")
            }
            return target

        case .reshape(let target):
            if target.filter({ $0 == -1 }).count > 1 || target.contains(where: { $0 < -1 }) {
                throw ShapeRuleError("invalid target shape \(formatShape(target)) (at most one -1)")
            }
            guard let count = knownCount(x) else {
                // Unknown input size: the -1 stays unknown, the rest is as asked.
                return target
            }
            guard let resolved = resolveReshape(target, count: count) else {
                throw ShapeRuleError("cannot reshape \(count) elements to \(formatShape(target))")
            }
            return resolved
        case .flatten(let startDim):
            if x.isEmpty { return [1] }
            let start = try normalize(startDim, rank: x.count)
            let tail = x[start...]
            let merged = tail.contains(unknownDim) ? unknownDim : tail.reduce(1, *)
            return Array(x[..<start]) + [merged]
        case let .transpose(d0, d1):
            let a = try normalize(d0, rank: x.count), b = try normalize(d1, rank: x.count)
            var out = x
            out.swapAt(a, b)
            return out
        case let .narrow(dim, start, length):
            return try narrowShape(x, dim: dim, start: start, length: length)
        case let .narrowBackward(dim, start, length):
            try requireCompatible(x, try narrowShape(shapes[1], dim: dim, start: start, length: length), "the gradient")
            return shapes[1]
        case .permute(let dims):
            guard dims.count == x.count else {
                throw ShapeRuleError("dims \(formatShape(dims)) do not match the input's \(x.count) dimensions")
            }
            let axes = try dims.map { try normalize($0, rank: x.count) }
            guard Set(axes).count == axes.count else { throw ShapeRuleError("dims \(formatShape(dims)) repeat a dimension") }
            return axes.map { x[$0] }
        case .squeeze(let dim):
            if x.isEmpty {
                _ = try normalize(dim, rank: 1)
                return x
            }
            let axis = try normalize(dim, rank: x.count)
            if x[axis] == unknownDim {
                throw ShapeRuleError("cannot squeeze dimension \(dim) of unknown size (it is removed only when its size is 1)")
            }
            var out = x
            if x[axis] == 1 { out.remove(at: axis) }
            return out
        case .unsqueeze(let dim):
            var out = x
            out.insert(1, at: try normalize(dim, rank: x.count + 1))
            return out

        case .indexSelect(let dim):
            return try indexSelectShape(x, index: shapes[1], dim: dim)
        case .indexSelectBackward(let dim):
            try requireCompatible(x, try indexSelectShape(shapes[2], index: shapes[1], dim: dim), "the gradient")
            return shapes[2]
        case .cat(let dim, _):
            return try catShape(shapes, dim: dim)
        case let .catBackward(dim, index, count):
            guard index >= 0 && index < count else { throw ShapeRuleError("input \(index) of \(count) does not exist") }
            try requireCompatible(x, try catShape(Array(shapes.dropFirst()), dim: dim), "the gradient")
            return shapes[index + 1]
        case let .stack(dim, count):
            for (i, shape) in shapes.enumerated() where !compatible(shape, x) {
                throw ShapeRuleError("input \(i) has shape \(shapeText(shape)) but input 0 has \(shapeText(x)): all must match")
            }
            var out = x
            for shape in shapes { out = zip(out, shape).map { $0 == unknownDim ? $1 : $0 } }
            out.insert(count, at: try normalize(dim, rank: x.count + 1))
            return out
        case .embedding:
            let weight = shapes[1]
            guard weight.count == 2 else {
                throw ShapeRuleError("weight must have shape [numEmbeddings, embeddingDim], not \(shapeText(weight))")
            }
            return x + [weight[1]]
        case .embeddingBackward:
            let like = shapes[2]
            guard like.count == 2 else { throw ShapeRuleError("weight must have shape [numEmbeddings, embeddingDim]") }
            try requireCompatible(x, shapes[1] + [like[1]], "the gradient")
            return like

        case .matmul:
            return try matmulShape(x, shapes[1])
        case let .linear(transposed, _):
            let w = shapes[1], b = shapes[2]
            guard x.count == 2, w.count == 2 else {
                throw ShapeRuleError("expects a matrix input and a matrix weight")
            }
            let (inW, outW) = transposed ? (w[1], w[0]) : (w[0], w[1])
            try requireEqual(x[1], inW, "input features (\(x[1])) do not match the weight's (\(inW))")
            guard b.count == 1 else { throw ShapeRuleError("bias must be a vector") }
            try requireEqual(b[0], outW, "bias has \(b[0]) entries for \(outW) outputs")
            return [x[0], outW]

        case .softmax(let dim), .logSoftmax(let dim):
            _ = try normalize(dim, rank: x.count)
            return x
        case let .conv2d(stride, padding):
            return try convShape(x, shapes[1], stride: stride, padding: padding)
        case .conv2dBackwardInput:
            return shapes[2]
        case .conv2dBackwardWeight:
            return shapes[2]
        case let .maxPool2d(k, s):
            return try poolShape(x, kernel: k, stride: s, padding: 0)
        case .maxPool2dBackward:
            return shapes[1]
        case let .avgPool2d(k, s, p):
            return try poolShape(x, kernel: k, stride: s, padding: p)
        case let .avgPool2dBackward(k, s, p):
            try requireCompatible(x, try poolShape(shapes[1], kernel: k, stride: s, padding: p), "the gradient")
            return shapes[1]

        case .batchStatistics:
            try requireChannels(x)
            let perChannel = x[0] == unknownDim || x.dropFirst(2).contains(unknownDim) ? nil : x[0] * x.dropFirst(2).reduce(1, *)
            if perChannel == 1 {
                throw ShapeRuleError("expected more than 1 value per channel when training, got input of shape \(shapeText(x))")
            }
            return [3, x[1]]
        case .batchStatisticsBackward:
            try requireChannels(shapes[1])
            try requireCompatible(x, [3, shapes[1][1]], "the gradient")
            try requireCompatible(shapes[2], [3, shapes[1][1]], "the statistics")
            return shapes[1]
        case .batchNorm(_, let affine):
            try requireChannels(x)
            let names = affine ? ["mean", "variance", "weight", "bias"] : ["mean", "variance"]
            for (name, shape) in zip(names, shapes.dropFirst()) {
                try requireCompatible(shape, [x[1]], "the \(name) (one value per channel of the input)")
            }
            return x
        case .batchNormBackwardReduce:
            try requireChannels(shapes[1])
            try requireCompatible(x, shapes[1], "the gradient")
            try requireCompatible(shapes[2], [shapes[1][1]], "the mean")
            try requireCompatible(shapes[3], [shapes[1][1]], "the variance")
            return [2, shapes[1][1]]
        case .batchNormBackwardInput:
            try requireChannels(x)
            try requireCompatible(shapes[1], [x[1]], "the scale")
            return x
        case .movingAverage:
            try requireCompatible(shapes[1], x, "the statistic")
            return x
        case let .layerNorm(normalizedShape, _, affine):
            try checkLayerNorm(x, normalizedShape)
            if affine {
                try requireCompatible(shapes[1], normalizedShape, "the weight")
                try requireCompatible(shapes[2], normalizedShape, "the bias")
            }
            return x
        case let .layerNormBackward(normalizedShape, _, affine):
            try checkLayerNorm(shapes[1], normalizedShape)
            try requireCompatible(x, shapes[1], "the gradient")
            if affine { try requireCompatible(shapes[2], normalizedShape, "the weight") }
            return shapes[1]

        case .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward:
            let labels = shapes[1]
            guard x.count == 2 else { throw ShapeRuleError("expects \(kind == .nllLoss ? "log-probabilities" : "logits") of shape [batch, classes]") }
            guard labels.count == 1 else { throw ShapeRuleError("expects labels of shape [batch]") }
            try requireEqual(x[0], labels[0], "batch of \(kind == .nllLoss ? "log-probabilities" : "logits") (\(x[0])) and labels (\(labels[0])) differ")
            return kind == .crossEntropy || kind == .nllLoss ? [] : x
        case .binaryCrossEntropyWithLogits:
            guard compatible(x, shapes[1]) else {
                throw ShapeRuleError("targets of shape \(shapeText(shapes[1])) must have the shape of the logits \(shapeText(x))")
            }
            return []
        }
    }

    /// Checks that a gradient `g` has the shape of a reduction of `like` along `dim` (either
    /// with or without the reduced dim kept: both hold the same elements in the same order), so
    /// that the backward kernels never index past it.
    private func checkReducedGradient(_ g: [Int], like: [Int], dim: Int?, keepDim: Bool) throws {
        guard let dim else {
            if let count = knownCount(g), count != 1 {
                throw ShapeRuleError("gradient of a full reduction must hold one value, not \(count)")
            }
            return
        }
        let axis = try normalize(dim, rank: like.count)
        var kept = like, removed = like
        kept[axis] = 1
        removed.remove(at: axis)
        guard compatible(g, keepDim ? kept : removed) || compatible(g, keepDim ? removed : kept) else {
            throw ShapeRuleError(
                "gradient has shape \(shapeText(g)) but the reduction of \(shapeText(like)) along dim \(dim) has shape "
                    + shapeText(keepDim ? kept : removed))
        }
    }

    private func convShape(_ x: [Int], _ w: [Int], stride: Int, padding: Int) throws -> [Int] {
        guard x.count == 4 else { throw ShapeRuleError("expects an NCHW input of rank 4") }
        guard w.count == 4 else { throw ShapeRuleError("expects an OIHW weight of rank 4") }
        guard stride > 0, padding >= 0 else { throw ShapeRuleError("stride must be positive, padding not negative") }
        try requireEqual(x[1], w[1], "input has \(x[1]) channels but the weight expects \(w[1])")
        func out(_ n: Int, _ k: Int) throws -> Int {
            if k == unknownDim { return unknownDim }
            return try slidingWindowSize(n, kernel: k, stride: stride, padding: padding)
        }
        return [x[0], w[0], try out(x[2], w[2]), try out(x[3], w[3])]
    }

    private func poolShape(_ x: [Int], kernel k: Int, stride s: Int, padding p: Int) throws -> [Int] {
        guard x.count == 4 else { throw ShapeRuleError("expects an NCHW input of rank 4, got \(shapeText(x))") }
        guard k > 0, s > 0 else { throw ShapeRuleError("kernel size (\(k)) and stride (\(s)) must be positive") }
        guard p >= 0 && p <= k / 2 else {
            throw ShapeRuleError("padding (\(p)) must be between 0 and half the kernel size (\(k / 2))")
        }
        return [x[0], x[1],
                try slidingWindowSize(x[2], kernel: k, stride: s, padding: p),
                try slidingWindowSize(x[3], kernel: k, stride: s, padding: p)]
    }

    private func narrowShape(_ x: [Int], dim: Int, start: Int, length: Int) throws -> [Int] {
        let axis = try normalize(dim, rank: x.count)
        guard length >= 0 else { throw ShapeRuleError("length must not be negative (got \(length))") }
        let size = x[axis]
        if size != unknownDim {
            let first = start < 0 ? start + size : start
            guard first >= 0 && first <= size else {
                throw ShapeRuleError("start \(start) is out of range for dimension \(dim) of size \(size)")
            }
            guard length <= size - first else {  // not first + length, which could overflow
                throw ShapeRuleError("start (\(start)) + length (\(length)) exceeds dimension \(dim) of size \(size)")
            }
        }
        var out = x
        out[axis] = length
        return out
    }

    private func indexSelectShape(_ x: [Int], index: [Int], dim: Int) throws -> [Int] {
        guard index.count == 1 else {
            throw ShapeRuleError("index must be a rank-1 tensor of whole numbers, not of shape \(shapeText(index))")
        }
        var out = x
        out[try normalize(dim, rank: x.count)] = index[0]
        return out
    }

    private func catShape(_ shapes: [[Int]], dim: Int) throws -> [Int] {
        let first = shapes[0]
        guard !first.isEmpty else { throw ShapeRuleError("cannot join rank-0 values (use stack)") }
        let axis = try normalize(dim, rank: first.count)
        var out = first
        for (i, shape) in shapes.enumerated().dropFirst() {
            var a = shape, b = first
            guard a.count == b.count else {
                throw ShapeRuleError("input \(i) has rank \(a.count) but input 0 has rank \(b.count)")
            }
            a[axis] = 0
            b[axis] = 0
            guard compatible(a, b) else {
                throw ShapeRuleError(
                    "input \(i) has shape \(shapeText(shape)) but input 0 has \(shapeText(first)): "
                        + "sizes must match except in dimension \(dim)")
            }
            for d in out.indices where d != axis && out[d] == unknownDim { out[d] = shape[d] }
            if out[axis] == unknownDim || shape[axis] == unknownDim {
                out[axis] = unknownDim
            } else {
                let (sum, overflow) = out[axis].addingReportingOverflow(shape[axis])
                guard !overflow else { throw ShapeRuleError("the joined dimension \(dim) is too large") }
                out[axis] = sum
            }
        }
        return out
    }

    private func requireChannels(_ x: [Int]) throws {
        guard x.count >= 2 else {
            throw ShapeRuleError("expects input of shape [N, C] or [N, C, H, W] (channels in dim 1), got \(shapeText(x))")
        }
    }

    private func checkLayerNorm(_ x: [Int], _ normalizedShape: [Int]) throws {
        guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeRuleError("normalizedShape \(shapeText(normalizedShape)) must hold one or more positive sizes")
        }
        guard x.count >= normalizedShape.count, compatible(Array(x.suffix(normalizedShape.count)), normalizedShape) else {
            throw ShapeRuleError(
                "expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], got \(shapeText(x))")
        }
    }
}
