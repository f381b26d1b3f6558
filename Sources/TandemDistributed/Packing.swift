import TandemKernels

/// Packs arrays into one flat buffer and back: collectives move one buffer instead of many
/// small ones (one latency instead of one per array).
enum Packing {
    /// The arrays' elements back to back, in order.
    static func pack(_ arrays: [NDArray]) -> NDArray {
        var flat = NDArray(uninitializedShape: [arrays.reduce(0) { $0 + $1.count }])
        flat.withUnsafeMutableBufferPointer { target in
            var offset = 0
            for array in arrays {
                copy(array, to: target.baseAddress.map { $0 + offset })
                offset += array.count
            }
        }
        return flat
    }

    /// Copies an array's elements (row-major) to `target`.
    static func copy(_ array: NDArray, to target: UnsafeMutablePointer<Float>?) {
        guard array.count > 0, let target else { return }
        array.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Arrays of `shapes` holding consecutive parts of `flat`.
    static func unpack(_ flat: NDArray, shapes: [[Int]]) -> [NDArray] {
        flat.withUnsafeBufferPointer { source in
            var offset = 0
            return shapes.map { shape in
                let count = shape.reduce(1, *)
                defer { offset += count }
                return NDArray(shape: shape, scalars: Array(source[offset..<(offset + count)]))
            }
        }
    }
}
