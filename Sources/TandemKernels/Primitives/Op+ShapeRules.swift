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
    public func outputShape(_ shapes: [[Int]]) throws -> [Int] {
        guard shapes.count == arity else {
            throw ShapeRuleError("expects \(arity) inputs, got \(shapes.count)")
        }
        let x = shapes[0]
        switch self {
        case .add, .sub, .mul, .div, .reluBackward:
            return try broadcastShapes(x, shapes[1])
        case .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .addScalar, .mulScalar, .pow,
            .bernoulliMask, .zerosLike, .fusedElementwise:
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
            guard fits else { throw ShapeRuleError("cannot broadcast \(formatShape(x)) to \(formatShape(like))") }
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
                throw ShapeRuleError("cannot sum \(formatShape(x)) down to \(formatShape(target))")
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
            guard x.count == 4 else { throw ShapeRuleError("expects an NCHW input of rank 4") }
            guard k > 0, s > 0 else { throw ShapeRuleError("kernel size and stride must be positive") }
            func pooled(_ n: Int) throws -> Int {
                if n == unknownDim { return unknownDim }
                guard n >= k else { throw ShapeRuleError("kernel \(k) is larger than the input (\(n))") }
                return (n - k) / s + 1
            }
            return [x[0], x[1], try pooled(x[2]), try pooled(x[3])]
        case .maxPool2dBackward:
            return shapes[1]
        case .crossEntropy, .crossEntropyBackward:
            let labels = shapes[1]
            guard x.count == 2 else { throw ShapeRuleError("expects logits of shape [batch, classes]") }
            guard labels.count == 1 else { throw ShapeRuleError("expects labels of shape [batch]") }
            try requireEqual(x[0], labels[0], "batch of logits (\(x[0])) and labels (\(labels[0])) differ")
            if case .crossEntropyBackward = self { return x }
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
        func matches(_ expected: [Int]) -> Bool {
            g.count == expected.count && zip(g, expected).allSatisfy { $0 == $1 || $0 == unknownDim || $1 == unknownDim }
        }
        guard matches(keepDim ? kept : removed) || matches(keepDim ? removed : kept) else {
            throw ShapeRuleError(
                "gradient has shape \(formatShape(g)) but the reduction of \(formatShape(like)) along dim \(dim) has shape "
                    + formatShape(keepDim ? kept : removed))
        }
    }

    private func convShape(_ x: [Int], _ w: [Int], stride: Int, padding: Int) throws -> [Int] {
        guard x.count == 4 else { throw ShapeRuleError("expects an NCHW input of rank 4") }
        guard w.count == 4 else { throw ShapeRuleError("expects an OIHW weight of rank 4") }
        guard stride > 0, padding >= 0 else { throw ShapeRuleError("stride must be positive, padding not negative") }
        try requireEqual(x[1], w[1], "input has \(x[1]) channels but the weight expects \(w[1])")
        func out(_ n: Int, _ k: Int) throws -> Int {
            if n == unknownDim || k == unknownDim { return unknownDim }
            guard n + 2 * padding >= k else {
                throw ShapeRuleError("kernel \(k) is larger than the padded input (\(n + 2 * padding))")
            }
            return (n + 2 * padding - k) / stride + 1
        }
        return [x[0], w[0], try out(x[2], w[2]), try out(x[3], w[3])]
    }
}

/// NumPy broadcasting of two shapes (with `unknownDim` for dims known only at run time).
public func broadcastShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
    if a == b { return a }
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 {
            out[i] = da
        } else if da == 1 {
            out[i] = db
        } else if da == unknownDim || db == unknownDim {
            out[i] = da == unknownDim ? db : da
        } else {
            throw ShapeRuleError("shapes cannot be broadcast together (dimension \(i): \(da) vs \(db))")
        }
    }
    return out
}

/// The output shape of a (batched) matrix product.
func matmulShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
    guard a.count >= 2, b.count >= 2 else {
        throw ShapeRuleError("expects operands of rank 2 or more")
    }
    try requireEqual(a[a.count - 1], b[b.count - 2], "inner dimensions differ (\(a[a.count - 1]) vs \(b[b.count - 2]))")
    let batchA = Array(a.dropLast(2)), batchB = Array(b.dropLast(2))
    let batch: [Int]
    if batchA.isEmpty {
        batch = batchB
    } else if batchB.isEmpty {
        batch = batchA
    } else {
        guard batchA.count == batchB.count else {
            throw ShapeRuleError("batch dimensions differ (\(formatShape(batchA)) vs \(formatShape(batchB)))")
        }
        for (x, y) in zip(batchA, batchB) {
            try requireEqual(x, y, "batch dimensions differ (\(formatShape(batchA)) vs \(formatShape(batchB)))")
        }
        batch = zip(batchA, batchB).map { $0 == unknownDim ? $1 : $0 }
    }
    return batch + [a[a.count - 2], b[b.count - 1]]
}

/// Normalises a possibly negative dimension index against a rank.
public func normalize(_ dim: Int, rank: Int) throws -> Int {
    let axis = dim < 0 ? dim + rank : dim
    guard axis >= 0 && axis < rank else {
        throw ShapeRuleError("dimension \(dim) is out of range for rank \(rank)")
    }
    return axis
}

private func requireEqual(_ a: Int, _ b: Int, _ reason: @autoclosure () -> String) throws {
    if a != b && a != unknownDim && b != unknownDim { throw ShapeRuleError(reason()) }
}

private func knownCount(_ shape: [Int]) -> Int? {
    shape.contains(unknownDim) ? nil : shape.reduce(1, *)
}
