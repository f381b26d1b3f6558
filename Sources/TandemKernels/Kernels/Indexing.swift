/// Gathering, scattering and joining: index_select, embedding, cat, stack and the adjoints of
/// narrow and index_select. Every index array is checked first (`Indexing.indices`), so no
/// kernel reads or writes out of bounds whatever the user feeds.
enum Indexing {
    /// Checks that every element of `array` is a whole number in 0..<bound and returns them as
    /// integers; the error names the first bad position and value.
    static func indices(_ array: NDArray, bound: Int, what: String) throws -> [Int] {
        try array.withUnsafeBufferPointer { values in
            var out = [Int](repeating: 0, count: values.count)
            for (position, value) in values.enumerated() {
                guard value == value.rounded(), value >= 0, value < Float(bound) else {
                    throw ValueRuleError("\(what) \(value) at position \(position) is not a whole number in 0..<\(bound)")
                }
                out[position] = Int(value)
            }
            return out
        }
    }

    /// out[o, j, i] = x[o, index[j], i] over the [outer, n, inner] split of x around `axis`.
    static func select(_ x: NDArray, axis: Int, index: [Int], into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous()
        let (outer, n, inner) = Reduction.split(x.shape, axis)
        let p = x.storage.pointer + x.offset
        withExtendedLifetime(x) {
            for o in 0..<outer {
                for (j, k) in index.enumerated() {
                    (out + (o * index.count + j) * inner).update(from: p + (o * n + k) * inner, count: inner)
                }
            }
        }
    }

    /// The adjoint of `select`: zeros shaped `shape`, with g's slices added at `index` (a
    /// repeated index adds up, as PyTorch's index_add).
    static func selectBackward(_ g: NDArray, shape: [Int], axis: Int, index: [Int], into out: UnsafeMutablePointer<Float>) {
        let g = g.contiguous()
        let (outer, n, inner) = Reduction.split(shape, axis)
        out.initialize(repeating: 0, count: outer * n * inner)
        let p = g.storage.pointer + g.offset
        withExtendedLifetime(g) {
            for o in 0..<outer {
                for (j, k) in index.enumerated() {
                    let src = p + (o * index.count + j) * inner, dst = out + (o * n + k) * inner
                    for i in 0..<inner { dst[i] += src[i] }
                }
            }
        }
    }

    /// Joins `inputs` along `axis` of `outShape`: for each outer index, each input contributes
    /// its contiguous block of `blockSize(input)` elements in turn. `cat` takes blocks of the
    /// input's own dims from `axis`; `stack` (axis of the output, inputs one rank lower) the same.
    static func join(_ inputs: [NDArray], outer: Int, blockSizes: [Int], into out: UnsafeMutablePointer<Float>) {
        let dense = inputs.map { $0.contiguous() }
        let row = blockSizes.reduce(0, +)
        withExtendedLifetime(dense) {
            for o in 0..<outer {
                var column = 0
                for (input, block) in zip(dense, blockSizes) {
                    (out + o * row + column).update(from: input.storage.pointer + input.offset + o * block, count: block)
                    column += block
                }
            }
        }
    }

    /// The adjoint of narrow: zeros shaped `shape` with g written at `start..<start + length` of `axis`.
    static func narrowBackward(_ g: NDArray, shape: [Int], axis: Int, start: Int, into out: UnsafeMutablePointer<Float>) {
        let g = g.contiguous()
        let (outer, n, inner) = Reduction.split(shape, axis)
        let length = g.shape[axis]
        out.initialize(repeating: 0, count: outer * n * inner)
        let p = g.storage.pointer + g.offset
        withExtendedLifetime(g) {
            for o in 0..<outer {
                (out + (o * n + start) * inner).update(from: p + o * length * inner, count: length * inner)
            }
        }
    }
}
