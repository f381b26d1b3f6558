// Slicing, reordering, gathering and joining, written once for both frontends (see
// TensorExpression+Ops.swift). Every one is a primitive or a view of one; none copies more
// than its result.

extension TensorExpression {
    /// `length` elements of dimension `dim` from `start` (negative: counted from the end), as a
    /// view (`torch.narrow`).
    ///
    /// ```swift
    /// x.narrow(dim: 1, start: 2, length: 3)    // x[:, 2:5]
    /// ```
    public func narrow(dim: Int, start: Int, length: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.narrow(dim: dim, start: start, length: length), file, line)
    }

    /// The dimensions reordered: dimension i of the result is dimension `dims[i]` of this value
    /// (`torch.permute`), as a view.
    public func permute(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.permute(dims), file, line)
    }

    /// A dimension of size 1 inserted at `dim` (-1: last) (`torch.unsqueeze`), as a view.
    public func unsqueeze(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.unsqueeze(dim: dim), file, line)
    }

    /// Dimension `dim` removed if its size is 1, otherwise the value unchanged
    /// (`torch.squeeze(x, dim)`), as a view. On a graph node, the size must be known.
    public func squeeze(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.squeeze(dim: dim), file, line)
    }

    /// The entries at `index` along `dim` (`torch.index_select`).
    ///
    /// - Parameters:
    ///   - dim: the dimension to select along (negative counts from the end).
    ///   - index: a rank-1 value of whole numbers in 0..<size of `dim` (like class labels);
    ///     repeats are allowed. A fractional or out-of-range index is an error naming it.
    public func indexSelect(dim: Int, index: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.indexSelect(dim: dim), [self, index], at: SourceLocation(file, line))
    }
}

/// The values joined along `dim`; all have one shape except in `dim` (`torch.cat`).
///
/// - Parameters:
///   - xs: one or more values of the same rank.
///   - dim: the dimension to join along (negative counts from the end).
public func cat<T: TensorExpression>(_ xs: [T], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> T {
    joined(xs, .cat(dim: dim, count: xs.count), file, line)
}

/// The values, all of one shape, stacked along a new dimension `dim` (`torch.stack`).
///
/// - Parameters:
///   - xs: one or more values of the same shape.
///   - dim: where the new dimension goes in the result (0...rank; negative counts from the end).
public func stack<T: TensorExpression>(_ xs: [T], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> T {
    joined(xs, .stack(dim: dim, count: xs.count), file, line)
}

private func joined<T: TensorExpression>(_ xs: [T], _ op: Op, _ file: StaticString, _ line: UInt) -> T {
    let location = SourceLocation(file, line)
    guard !xs.isEmpty else {
        return T.failure(.invalidValue(op: op.name, reason: "expects a non-empty list of values, got an empty list", location: location))
    }
    return T.apply(op, xs, at: location)
}

/// The rows of `weight` ([numEmbeddings, embeddingDim]) at `indices` (whole numbers of any
/// shape), shaped `indices.shape + [embeddingDim]` (`F.embedding`). Repeated indices add up
/// their gradients; the indices take none.
public func embedding<T: TensorExpression>(_ indices: T, weight: T, file: StaticString = #fileID, line: UInt = #line) -> T {
    T.apply(.embedding, [indices, weight], at: SourceLocation(file, line))
}
