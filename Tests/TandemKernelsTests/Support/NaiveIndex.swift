import TandemKernels

/// Row-major index arithmetic written for the tests, independent of the core's stride code.
enum NaiveIndex {
    /// The number of elements of a shape (1 for rank 0).
    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The multi-index of the `flat`-th element of `shape` in row-major order.
    static func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    /// The row-major position of a multi-index in `shape`.
    static func ravel(_ index: [Int], _ shape: [Int]) -> Int {
        var flat = 0
        for axis in shape.indices { flat = flat * shape[axis] + index[axis] }
        return flat
    }

    /// Row-major strides of a dense array of `shape`.
    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// The position (sum of index times stride) of every element of `shape`, in row-major
    /// order: an odometer over the multi-index, fast enough for the large-array tests.
    static func positions(_ shape: [Int], strides: [Int]) -> [Int] {
        let total = count(shape)
        var out: [Int] = []
        out.reserveCapacity(total)
        var index = [Int](repeating: 0, count: shape.count)
        var position = 0
        for _ in 0..<total {
            out.append(position)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    /// The strides with which a dense operand of shape `shape` is read when broadcast to `out`:
    /// its own row-major strides, 0 on broadcast (size-1 or missing) dims.
    static func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
        let own = rowMajorStrides(shape)
        let dropped = out.count - shape.count
        return out.indices.map { axis in
            axis < dropped || shape[axis - dropped] == 1 ? 0 : own[axis - dropped]
        }
    }

    /// NumPy broadcasting of two shapes, or nil when they are incompatible.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out: [Int] = []
        for (x, y) in zip(pa, pb) {
            if x == y || y == 1 {
                out.append(x)
            } else if x == 1 {
                out.append(y)
            } else {
                return nil
            }
        }
        return out
    }

    /// The index into an operand of shape `shape` that an output index reads under broadcasting.
    static func project(_ index: [Int], onto shape: [Int]) -> [Int] {
        let dropped = index.count - shape.count
        return shape.indices.map { shape[$0] == 1 ? 0 : index[$0 + dropped] }
    }
}

/// The elements of `x` in row-major order, read through its storage, strides and offset with
/// the test's own index math (not `NDArray.scalars`, which the tests check against this).
func naiveScalars(_ x: NDArray) -> [Float] {
    let base = x.storage.pointer + x.offset
    return NaiveIndex.positions(x.shape, strides: x.strides).map { base[$0] }
}

/// A dense array from shape and values (a short name for the references).
func dense(_ shape: [Int], _ values: [Float]) -> NDArray { NDArray(shape: shape, scalars: values) }
