/// Batches of a ``Dataset`` as `(inputs, labels)` tensors (`torch.utils.data.DataLoader`).
///
/// With `shuffle`, each pass over the loader (each epoch) visits the examples in a new random
/// order, drawn from the loader's own generator when a `seed` is given (repeatable, independent of
/// other random draws) or from the global generator otherwise (repeatable after `manualSeed`).
/// Create the loader once and iterate it every epoch.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 0)
/// for epoch in 0..<10 {
///     for (images, labels) in loader { ... }
/// }
/// ```
public final class DataLoader: Sequence {
    /// The dataset batches are drawn from.
    public let dataset: Dataset
    /// Examples per batch (the last batch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether each epoch visits the examples in a new random order.
    public let shuffle: Bool
    /// Whether an incomplete last batch is skipped.
    public let dropLast: Bool
    /// The sampler choosing each epoch's examples, when the loader was given one.
    public let sampler: Sampler?
    private let generator: TandemKernels.Generator?

    /// Creates a loader.
    ///
    /// - Parameters:
    ///   - dataset: the examples.
    ///   - batchSize: examples per batch.
    ///   - shuffle: reshuffle at the start of every epoch.
    ///   - seed: seed of the loader's own shuffling generator; nil to use the global one.
    ///   - dropLast: skip the last batch when it is smaller than `batchSize`.
    public init(_ dataset: Dataset, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64? = nil, dropLast: Bool = false) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        sampler = nil
        generator = seed.map { TandemKernels.Generator(seed: $0) }
    }

    /// Creates a loader whose examples, and their order, come from a sampler
    /// (`DataLoader(dataset, batch_size=..., sampler=...)`), for example one process's shard in
    /// data-parallel training.
    ///
    /// - Parameters:
    ///   - dataset: the examples.
    ///   - batchSize: examples per batch.
    ///   - sampler: chooses the indices of each epoch (shuffling is the sampler's business).
    ///   - dropLast: skip the last batch when it is smaller than `batchSize`.
    public init(_ dataset: Dataset, batchSize: Int = 1, sampler: Sampler, dropLast: Bool = false) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = false
        self.dropLast = dropLast
        self.sampler = sampler
        generator = nil
    }

    /// The number of batches per epoch (`len(loader)`).
    public var count: Int {
        let examples = sampler?.count ?? dataset.count
        return dropLast ? examples / batchSize : (examples + batchSize - 1) / batchSize
    }

    /// The indices of one epoch, reshuffled on every call when shuffling (or the sampler's).
    public func epochIndices() -> [Int] {
        if let sampler { return sampler.epochIndices() }
        guard shuffle else { return Array(0..<dataset.count) }
        return (generator ?? TandemKernels.Generator.global).permutation(dataset.count)
    }

    /// Starts an epoch.
    public func makeIterator() -> Iterator {
        Iterator(loader: self, order: epochIndices())
    }

    /// Walks one epoch's batches.
    public struct Iterator: IteratorProtocol {
        let loader: DataLoader
        let order: [Int]
        var position = 0

        /// The next `(inputs, labels)` batch, or nil at the end of the epoch.
        public mutating func next() -> (Tensor, Tensor)? {
            let remaining = order.count - position
            guard remaining > 0, !(loader.dropLast && remaining < loader.batchSize) else { return nil }
            let end = position + Swift.min(loader.batchSize, remaining)
            let (inputs, labels) = loader.dataset.batch(Array(order[position..<end]))
            position = end
            return (Tensor(inputs), Tensor(labels: labels))
        }
    }
}

/// Chooses which examples a ``DataLoader`` visits in each epoch, and in what order
/// (`torch.utils.data.Sampler`).
public protocol Sampler: AnyObject {
    /// The number of indices per epoch.
    var count: Int { get }
    /// The indices of the next epoch (a sampler may advance its own epoch counter).
    func epochIndices() -> [Int]
}
