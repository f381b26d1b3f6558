import Foundation

/// A collection of labelled examples a ``DataLoader`` draws batches from
/// (`torch.utils.data.Dataset`, with batching done by the dataset for speed).
public protocol Dataset {
    /// The number of examples.
    var count: Int { get }
    /// The examples at `indices`, stacked along a new first dimension, and their class labels.
    func batch(_ indices: [Int]) -> (inputs: NDArray, labels: [Int])
}

/// A dataset held in memory: inputs stacked along the first dimension, one label each
/// (`torch.utils.data.TensorDataset`).
public struct TensorDataset: Dataset {
    /// The inputs, shape `[count, ...]`.
    public let inputs: NDArray
    /// One class label per input.
    public let labels: [Int]

    /// Creates a dataset; `inputs.shape[0]` must equal `labels.count`.
    public init(inputs: NDArray, labels: [Int]) {
        precondition(
            inputs.rank >= 1 && inputs.shape[0] == labels.count,
            "TensorDataset: inputs of shape \(formatShape(inputs.shape)) do not match \(labels.count) labels")
        self.inputs = inputs.contiguous()
        self.labels = labels
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// The rows at `indices` and their labels.
    public func batch(_ indices: [Int]) -> (inputs: NDArray, labels: [Int]) {
        let rowShape = Array(inputs.shape.dropFirst())
        let size = rowShape.reduce(1, *)
        var values = [Float](repeating: 0, count: indices.count * size)
        inputs.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { out in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "TensorDataset: index \(index) is outside 0..<\(count)")
                    for j in 0..<size { out[row * size + j] = source[index * size + j] }
                }
            }
        }
        return (NDArray(shape: [indices.count] + rowShape, scalars: values), indices.map { labels[$0] })
    }
}

/// The MNIST digits as a ``Dataset``: images `[1, 28, 28]` with pixels in [0, 1] (or flattened
/// to 784 values for an MLP) and labels 0...9.
///
/// ```swift
/// let train = try MNISTDataset(split: .train, flatten: true)
/// for (images, labels) in DataLoader(train, batchSize: 64, shuffle: true) { ... }   // images: [64, 784]
/// ```
public struct MNISTDataset: Dataset {
    /// The underlying images and labels.
    public let mnist: MNIST
    /// Whether batches are `[batch, 784]` (true) or `[batch, 1, 28, 28]` (false).
    public let flatten: Bool

    /// Loads a split of MNIST (the copy bundled with Tandem unless `directory` is given).
    ///
    /// - Parameters:
    ///   - split: `.train` or `.test`.
    ///   - flatten: flatten each image to a vector, for fully connected models.
    ///   - directory: a directory with the IDX files (plain or `.gz`); nil for the bundled copy.
    public init(split: MNIST.Split, flatten: Bool = false, from directory: URL? = nil) throws {
        self.init(try MNIST.load(split, from: directory), flatten: flatten)
    }

    /// Wraps loaded MNIST data.
    public init(_ mnist: MNIST, flatten: Bool = false) {
        self.mnist = mnist
        self.flatten = flatten
    }

    /// The number of images.
    public var count: Int { mnist.count }

    /// The images at `indices` and their labels.
    public func batch(_ indices: [Int]) -> (inputs: NDArray, labels: [Int]) {
        let (images, labels) = mnist.batch(indices)
        return (flatten ? images.reshaped([indices.count, -1]) : images, labels)
    }
}
