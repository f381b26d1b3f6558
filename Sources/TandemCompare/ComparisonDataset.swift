import Foundation

/// Images and integer labels to train on in a comparison: the bundled MNIST, or a small synthetic
/// set for quick tests.
public struct ComparisonDataset {
    /// A name for reports.
    public let name: String
    /// Images `[N, 1, 28, 28]`, values in [0, 1].
    public let images: NDArray
    /// Class labels `0..<10`, one per image.
    public let labels: [Int]

    /// The number of examples.
    public var count: Int { labels.count }

    /// Creates a dataset from images `[N, 1, 28, 28]` and `N` labels.
    public init(name: String, images: NDArray, labels: [Int]) {
        precondition(images.shape.first == labels.count, "ComparisonDataset: \(images.shape) images but \(labels.count) labels")
        self.name = name
        self.images = images.contiguous()
        self.labels = labels
    }

    /// The bundled MNIST subset (pixels / 255), validated against its checksums when loaded.
    public static func mnist(_ split: MNIST.Split = .train) throws -> ComparisonDataset {
        let data = try MNIST.load(split)
        return ComparisonDataset(name: "MNIST (\(split.rawValue), \(data.count) images)", images: data.images, labels: data.labels)
    }

    /// Random images whose label is the brightest of ten image bands: learnable, deterministic,
    /// and instant to make (for tests that must not depend on the bundled files).
    public static func synthetic(count: Int = 256, seed: UInt64 = 0) -> ComparisonDataset {
        let generator = Generator(seed: seed)
        var pixels = generator.uniform(count: count * 784, low: 0, high: 0.5)
        var labels: [Int] = []
        let classes = generator.uniform(count: count)
        for i in 0..<count {
            let label = min(Int(classes[i] * 10), 9)
            labels.append(label)
            // Brighten rows 2 * label ..< 2 * label + 3 of this image.
            for row in (2 * label + 4)..<(2 * label + 7) {
                for column in 0..<28 { pixels[i * 784 + row * 28 + column] += 0.5 }
            }
        }
        return ComparisonDataset(
            name: "synthetic (\(count) images)", images: NDArray(shape: [count, 1, 28, 28], scalars: pixels), labels: labels)
    }

    /// The examples at `indices`, shaped for `spec` (`[k, 784]` for an MLP, `[k, 1, 28, 28]` for a CNN).
    public func batch(_ indices: [Int], for spec: ModelSpec) -> (inputs: NDArray, labels: [Int]) {
        let sample = 784
        var values = [Float](repeating: 0, count: indices.count * sample)
        images.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                for (row, index) in indices.enumerated() {
                    let from = source.baseAddress! + index * sample
                    (target.baseAddress! + row * sample).update(from: from, count: sample)
                }
            }
        }
        return (NDArray(shape: [indices.count] + spec.sampleShape, scalars: values), indices.map { labels[$0] })
    }

    /// Checks that whole batches of `batchSize` examples can be drawn (what ``schedule(steps:batchSize:seed:)``
    /// needs), with an error naming `caller` otherwise.
    func validate(batchSize: Int, for caller: String) throws(TandemError) {
        guard batchSize >= 1 && batchSize <= count else {
            throw .invalidValue(
                op: caller, reason: "batch size \(batchSize) must be in 1...\(count), the examples of \(name)", location: nil)
        }
    }

    /// The index batches of `steps` training steps: a seeded shuffle per epoch, the last partial
    /// batch of each epoch dropped, so both frontends see exactly the same examples in the same order.
    public func schedule(steps: Int, batchSize: Int, seed: UInt64) -> [[Int]] {
        precondition(batchSize > 0 && batchSize <= count, "ComparisonDataset: batch size \(batchSize) for \(count) examples")
        let generator = Generator(seed: seed &+ 1)
        var batches: [[Int]] = []
        while batches.count < steps {
            let order = generator.permutation(count)
            var start = 0
            while start + batchSize <= count && batches.count < steps {
                batches.append(Array(order[start..<(start + batchSize)]))
                start += batchSize
            }
        }
        return batches
    }
}
