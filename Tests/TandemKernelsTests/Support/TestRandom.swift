import TandemKernels

/// A tiny deterministic generator (SplitMix64) owned by the tests, so that test data does not
/// depend on the core's `Generator` (which is itself under test).
struct TestRandom {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        let unit = Float(next() >> 40) / Float(1 << 24)
        return low + (high - low) * unit
    }

    /// A random permutation of 0..<n (Fisher-Yates).
    mutating func permutation(_ n: Int) -> [Int] {
        var values = Array(0..<n)
        if n < 2 { return values }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            values.swapAt(i, j)
        }
        return values
    }
}

/// A dense array of values uniform in `range`, fixed by `seed`.
func randomArray(_ shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64 = 1) -> NDArray {
    var random = TestRandom(seed: seed)
    let count = shape.reduce(1, *)
    return NDArray(shape: shape, scalars: (0..<count).map { _ in random.uniform(range.lowerBound, range.upperBound) })
}

/// A dense array of values in ±[margin, 1], with a random sign: kept away from kinks at zero
/// (relu) and from poles (division), so finite differences see a smooth function.
func randomArray(_ shape: [Int], awayFromZero margin: Float, scale: Float = 1, seed: UInt64 = 1) -> NDArray {
    var random = TestRandom(seed: seed)
    let count = shape.reduce(1, *)
    return NDArray(shape: shape, scalars: (0..<count).map { _ in
        let magnitude = random.uniform(margin, 1) * scale
        return random.next() & 1 == 0 ? magnitude : -magnitude
    })
}

/// A dense array of pairwise distinct values, `spacing` apart, in random order: no ties, so a
/// maximum stays the maximum under a perturbation smaller than spacing / 2.
func distinctArray(_ shape: [Int], spacing: Float = 0.05, seed: UInt64 = 1) -> NDArray {
    var random = TestRandom(seed: seed)
    let count = shape.reduce(1, *)
    let order = random.permutation(count)
    let center = Float(count) / 2
    return NDArray(shape: shape, scalars: order.map { (Float($0) - center) * spacing })
}

/// Labels 0..<classes as floats, one per row, fixed by `seed`.
func randomLabels(_ count: Int, classes: Int, seed: UInt64 = 1) -> NDArray {
    var random = TestRandom(seed: seed)
    return NDArray(shape: [count], scalars: (0..<count).map { _ in Float(random.next() % UInt64(classes)) })
}
