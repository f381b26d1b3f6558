// Shape helpers shared by the shape rules (`Op+ShapeRules.swift`) and the kernels.

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
            throw ShapeRuleError("batch dimensions differ (\(shapeText(batchA)) vs \(shapeText(batchB)))")
        }
        for (x, y) in zip(batchA, batchB) {
            try requireEqual(x, y, "batch dimensions differ (\(shapeText(batchA)) vs \(shapeText(batchB)))")
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

/// Throws `reason` unless the two sizes are equal or one is unknown.
func requireEqual(_ a: Int, _ b: Int, _ reason: @autoclosure () -> String) throws {
    if a != b && a != unknownDim && b != unknownDim { throw ShapeRuleError(reason()) }
}

/// The number of elements, or nil when a dimension is unknown.
func knownCount(_ shape: [Int]) -> Int? {
    shape.contains(unknownDim) ? nil : elementCount(of: shape)
}

/// Whether two shapes can be the same at run time: equal ranks, and equal sizes wherever both
/// are known.
func compatible(_ a: [Int], _ b: [Int]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || $0 == unknownDim || $1 == unknownDim }
}

/// Throws unless `actual` can be `expected` at run time (see `compatible`).
func requireCompatible(_ actual: [Int], _ expected: [Int], _ what: @autoclosure () -> String) throws {
    guard compatible(actual, expected) else {
        throw ShapeRuleError("\(what()) has shape \(shapeText(actual)) but \(shapeText(expected)) is expected")
    }
}

/// The output size of a pooling or convolution window sliding over `n` (unknown stays unknown).
func slidingWindowSize(_ n: Int, kernel: Int, stride: Int, padding: Int) throws -> Int {
    if n == unknownDim { return unknownDim }
    let (twice, overflow) = padding.multipliedReportingOverflow(by: 2)
    let (padded, overflowAgain) = n.addingReportingOverflow(twice)
    guard !overflow && !overflowAgain else { throw ShapeRuleError("padding \(padding) is too large") }
    guard padded >= kernel else {
        throw ShapeRuleError(padding == 0
            ? "kernel \(kernel) is larger than the input (\(n))"
            : "kernel \(kernel) is larger than the padded input (\(padded))")
    }
    return (padded - kernel) / stride + 1
}

/// A shape for a rule's message: `[?, 3]`, with `?` for a dimension known only at run time.
func shapeText(_ shape: [Int]) -> String { formatShape(shape.map { $0 == unknownDim ? nil : $0 }) }
