// Views that select or reorder elements without copying: the layouts behind `narrow`,
// `permute`, `squeeze` and `unsqueeze`. Dims are already normalised (non-negative, in range);
// the shape rules check them first.
extension NDArray {
    /// `length` elements of dimension `axis` starting at `start` (a view with an offset).
    public func narrowed(_ axis: Int, start: Int, length: Int) -> NDArray {
        precondition(axis >= 0 && axis < rank && start >= 0 && length >= 0 && start + length <= shape[axis],
                     "NDArray.narrowed: \(start)..<\(start + length) of dim \(axis) out of range for shape \(shape)")
        var newShape = shape
        newShape[axis] = length
        let strides = self.strides
        return NDArray(storage: storage, shape: newShape, strides: strides, offset: offset + start * strides[axis])
    }

    /// The dimensions reordered: dim i of the result is dim `order[i]` of this array (a view).
    public func permuted(_ order: [Int]) -> NDArray {
        precondition(order.sorted() == Array(0..<rank), "NDArray.permuted: \(order) is not a permutation of 0..<\(rank)")
        let strides = self.strides
        return NDArray(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
    }

    /// Dimension `axis`, of size 1, removed (a view).
    public func squeezed(_ axis: Int) -> NDArray {
        precondition(axis >= 0 && axis < rank && shape[axis] == 1, "NDArray.squeezed: dim \(axis) of \(shape) is not of size 1")
        var newShape = shape, strides = self.strides
        newShape.remove(at: axis)
        strides.remove(at: axis)
        return NDArray(storage: storage, shape: newShape, strides: strides, offset: offset)
    }

    /// A dimension of size 1 inserted at `axis` (0...rank) (a view).
    public func unsqueezed(_ axis: Int) -> NDArray {
        precondition(axis >= 0 && axis <= rank, "NDArray.unsqueezed: dim \(axis) out of range for rank \(rank)")
        var newShape = shape, strides = self.strides
        newShape.insert(1, at: axis)
        // Any stride works for a dimension of size 1; this one keeps a dense array dense.
        strides.insert(axis < rank ? strides[axis] * shape[axis] : 1, at: axis)
        return NDArray(storage: storage, shape: newShape, strides: strides, offset: offset)
    }
}
