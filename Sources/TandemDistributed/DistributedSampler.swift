import TandemEager
import TandemKernels

/// Gives each rank its shard of a dataset (`torch.utils.data.distributed.DistributedSampler`):
/// every rank draws the same shuffled order of the examples, and rank `r` takes the `r`-th of
/// every `size` examples of it. Together the ranks' batches of `b` are, step by step, the
/// single-process batches of `size * b` in the same order.
///
/// Every shard has the same length, so every rank runs the same number of steps (ranks with
/// uneven numbers of batches deadlock in their last allreduce): the order is padded with its
/// own first examples up to a multiple of `size` (PyTorch's default), or with `dropLast`
/// trimmed to one.
///
/// ```swift
/// let sampler = DistributedSampler(count: train.count, seed: 0)
/// let loader = DataLoader(train, batchSize: 32, sampler: sampler)
/// for epoch in 0..<10 {
///     for (x, y) in loader { ... }                 // a new shuffle every epoch
/// }
/// ```
public final class DistributedSampler: Sampler {
    /// The number of examples in the dataset.
    public let datasetCount: Int
    /// The number of shards (ranks).
    public let replicas: Int
    /// This rank's shard.
    public let rank: Int
    /// Whether every epoch visits the examples in a new random order.
    public let shuffle: Bool
    /// Seeds the shuffle; every rank must use the same seed.
    public let seed: UInt64
    /// Whether the order is trimmed (true) or padded (false) to a multiple of `replicas`.
    public let dropLast: Bool
    /// The epoch whose order ``epochIndices()`` returns next (`set_epoch`).
    public var epoch = 0

    /// Creates a sampler for one rank.
    ///
    /// - Parameters:
    ///   - count: the number of examples in the dataset.
    ///   - group: the ranks that share the data (gives `replicas` and `rank` unless they are given).
    ///   - replicas: the number of shards (default: the group's size).
    ///   - rank: this rank's shard (default: the group's rank).
    ///   - shuffle: draw a new random order every epoch.
    ///   - seed: seeds the shuffle (epoch `e` uses `seed + e`, as PyTorch does).
    ///   - dropLast: trim the order instead of padding it.
    public init(
        count: Int, group: ProcessGroup = .world, replicas: Int? = nil, rank: Int? = nil, shuffle: Bool = true,
        seed: UInt64 = 0, dropLast: Bool = false
    ) {
        let replicas = replicas ?? group.size
        let rank = rank ?? group.rank
        precondition(count >= 0, "DistributedSampler: count must not be negative, got \(count)")
        precondition(replicas >= 1, "DistributedSampler: replicas must be at least 1, got \(replicas)")
        precondition(rank >= 0 && rank < replicas, "DistributedSampler: rank \(rank) is not in 0..<\(replicas)")
        datasetCount = count
        self.replicas = replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// Sets the epoch whose order comes next (`sampler.set_epoch(epoch)`).
    ///
    /// - Parameter epoch: the epoch number (its shuffle is seeded with `seed + epoch`).
    public func setEpoch(_ epoch: Int) {
        self.epoch = epoch
    }

    /// The number of examples in this rank's shard: the same on every rank.
    public var count: Int {
        dropLast ? datasetCount / replicas : (datasetCount + replicas - 1) / replicas
    }

    /// This rank's indices for the current epoch; then moves on to the next epoch.
    public func epochIndices() -> [Int] {
        let order = shuffle ? Generator(seed: seed &+ UInt64(epoch)).permutation(datasetCount) : Array(0..<datasetCount)
        epoch += 1
        return shard(order)
    }

    /// This rank's part of an order of examples: the order padded (or trimmed) to a multiple of
    /// `replicas`, then every `replicas`-th example from position `rank`.
    ///
    /// - Parameter order: indices in the order all ranks agree on (for example a global batch).
    public func shard(_ order: [Int]) -> [Int] {
        var order = order
        let total = dropLast ? order.count / replicas * replicas : (order.count + replicas - 1) / replicas * replicas
        if total < order.count {
            order.removeLast(order.count - total)
        } else if !order.isEmpty {
            var next = 0
            while order.count < total {
                order.append(order[next])
                next += 1
            }
        }
        return Swift.stride(from: rank, to: order.count, by: replicas).map { order[$0] }
    }
}
