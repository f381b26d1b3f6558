import Foundation

/// `tandem bench --distributed`: allreduce time and bandwidth, and the data-parallel training
/// step of the MLP and the CNN in both designs (DDP with and without overlapping backward,
/// Horovod-style graph allreduce with and without fusion). Every rank of the group runs it; the
/// rows hold the slowest rank's time of each repetition, medians over repetitions.
public struct DistributedBenchmark {
    /// One measurement.
    public struct Row: Codable, Equatable {
        /// What was measured, for example `mlp step, eager DDP (overlapped)`.
        public var task: String
        /// The ranks that ran it.
        public var ranks: Int
        /// The median over repetitions.
        public var median: Double
        /// The fastest repetition.
        public var minimum: Double
        /// The slowest repetition.
        public var maximum: Double
        /// `ms` (per step or per allreduce call).
        public var unit: String
        /// Bytes per allreduce call (allreduce rows).
        public var bytes: Int?
        /// Examples per second over all ranks (step rows).
        public var examplesPerSecond: Double?
    }

    /// Repetitions per task.
    public var repetitions = 5
    /// Training steps per repetition.
    public var steps = 20
    /// Examples per step on each rank.
    public var batchSize = 64
    /// Floats per allreduce call: 1 KB, 64 KB, 1 MB, the MLP's gradients (2.1 MB), 8 MB.
    public var allreduceCounts = [256, 16_384, 262_144, 535_818, 2_097_152]

    /// Creates a benchmark with default sizes.
    public init() {}

    /// Runs every task on every rank of `group` and returns the rows.
    ///
    /// - Parameters:
    ///   - group: the ranks (a group of one measures the single-process baseline).
    ///   - dataset: the training data.
    ///   - progress: called with a note before each task (rank 0 only).
    public func run(group: ProcessGroup, dataset: ComparisonDataset, progress: ((String) -> Void)? = nil) throws -> [Row] {
        guard repetitions >= 1 && steps >= 1 else {
            throw TandemError.invalidValue(
                op: "DistributedBenchmark", reason: "repetitions (\(repetitions)) and steps (\(steps)) must be at least 1", location: nil)
        }
        let note = { (text: String) in if group.rank == 0 { progress?(text) } }
        var rows: [Row] = []
        if group.size > 1 {
            for count in allreduceCounts {
                note("allreduce of \(count * 4) bytes")
                rows.append(try allreduce(count, group: group))
            }
        }
        // Every contender is built and warmed up first, then the repetitions interleave them, so
        // noise from a busy machine hits them alike and their ratios stay fair.
        try dataset.validate(batchSize: batchSize * group.size, for: "DistributedBenchmark")
        let sampler = DistributedSampler(count: batchSize * group.size, group: group, shuffle: false)
        var contenders: [(task: String, trainer: Trainer, batches: [(inputs: NDArray, labels: [Int])])] = []
        for spec in [ModelSpec(name: "mlp")!, ModelSpec.simpleCNN] {
            let weights = spec.initialWeights(seed: 0)
            var comparison = Comparison(spec: spec, dataset: dataset, steps: 1, batchSize: batchSize, seed: 0)
            comparison.showProgress = false
            let batches = dataset.schedule(steps: steps, batchSize: batchSize * group.size, seed: 0)
                .map { dataset.batch(sampler.shard($0), for: spec) }
            let makers: [(String, () throws -> Trainer)] = [
                ("eager DDP (overlapped)", { try DistributedModuleTrainer(comparison, weights: weights, group: group) }),
                ("eager DDP (allreduce after backward)", {
                    try DistributedModuleTrainer(comparison, weights: weights, group: group, overlapsBackward: false)
                }),
                ("graph Horovod (fused)", { try DistributedGraphTrainer(comparison, weights: weights, group: group) }),
                ("graph Horovod (one allreduce per gradient)", {
                    try DistributedGraphTrainer(comparison, weights: weights, group: group, fusionThresholdBytes: 0)
                }),
            ]
            for (name, make) in makers {
                let trainer = try make()
                for batch in batches.prefix(3) { _ = try trainer.step(batch.inputs, batch.labels) }
                contenders.append(("\(spec.name) step, \(name)", trainer, batches))
            }
        }
        var samples = [[Double]](repeating: [], count: contenders.count)
        for repetition in 0..<repetitions {
            note("training steps: repetition \(repetition + 1) of \(repetitions)")
            for (c, contender) in contenders.enumerated() {
                try group.barrier(label: "benchmark repetition")
                let start = Profiler.now()
                for batch in contender.batches { _ = try contender.trainer.step(batch.inputs, batch.labels) }
                samples[c].append(try slowest(milliseconds(since: start) / Double(contender.batches.count), group))
            }
        }
        for contender in contenders {
            if let module = contender.trainer as? DistributedModuleTrainer, contender.task.hasSuffix("(overlapped)"),
               let row = try overlapWindow(module, task: contender.task, batches: contender.batches, group: group) {
                rows.append(row)
            }
        }
        for (c, contender) in contenders.enumerated() {
            let perStep = median(samples[c])
            rows.append(Row(
                task: contender.task, ranks: group.size, median: perStep, minimum: samples[c].min() ?? 0,
                maximum: samples[c].max() ?? 0, unit: "ms", examplesPerSecond: Double(batchSize * group.size) / perStep * 1000))
        }
        return rows
    }

    /// Milliseconds of backward still to run once the first bucket is complete: the computation
    /// DDP's first allreduce can hide behind (nil with a single bucket).
    private func overlapWindow(
        _ trainer: DistributedModuleTrainer, task: String, batches: [(inputs: NDArray, labels: [Int])], group: ProcessGroup
    ) throws -> Row? {
        guard trainer.model.bucketNames.count > 1 else { return nil }
        let firstBucket = Set(trainer.model.bucketNames[0])
        var pending = 0
        var firstReady: UInt64 = 0, lastReady: UInt64 = 0
        // Gradient hooks run just before the gradient is accumulated, so before DDP's own
        // post-accumulate hook (which, for the last parameter, waits for every bucket).
        let handles = trainer.model.namedParameters.map { name, parameter in
            parameter.registerHook { _ in
                let now = Profiler.now()
                if firstBucket.contains(name) {
                    pending -= 1
                    if pending == 0 { firstReady = now }
                }
                lastReady = Swift.max(lastReady, now)
                return nil
            }
        }
        defer { for handle in handles { handle.remove() } }
        var samples: [Double] = []
        for batch in batches {
            pending = firstBucket.count
            _ = try trainer.step(batch.inputs, batch.labels)
            samples.append(try slowest(Double(lastReady &- firstReady) / 1e6, group))
        }
        return Row(
            task: task.replacingOccurrences(of: "step, eager DDP (overlapped)", with: "backward left after bucket 1 is ready"),
            ranks: group.size, median: median(samples), minimum: samples.min() ?? 0, maximum: samples.max() ?? 0, unit: "ms")
    }

    /// Milliseconds per allreduce call of `count` floats.
    private func allreduce(_ count: Int, group: ProcessGroup) throws -> Row {
        var values = NDArray(repeating: 1, shape: [count])
        let calls = Swift.max(5, Swift.min(200, (64 << 20) / (count * 4)))
        for _ in 0..<3 { try group.allreduce(&values, label: "benchmark warm-up") }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            try group.barrier(label: "benchmark repetition")
            let start = Profiler.now()
            for _ in 0..<calls { try group.allreduce(&values, label: "benchmark") }
            samples.append(try slowest(milliseconds(since: start) / Double(calls), group))
        }
        return Row(
            task: "allreduce \(Self.formatBytes(count * 4))", ranks: group.size, median: median(samples),
            minimum: samples.min() ?? 0, maximum: samples.max() ?? 0, unit: "ms", bytes: count * 4)
    }

    /// The largest of the ranks' values (the step is as slow as the slowest rank).
    private func slowest(_ value: Double, _ group: ProcessGroup) throws -> Double {
        Double(try group.allreduce([Float(value)], op: .max, label: "benchmark timing")[0])
    }

    /// A size for tables: "64 KB", "2.1 MB".
    ///
    /// - Parameter bytes: the size.
    public static func formatBytes(_ bytes: Int) -> String {
        if bytes < 1 << 20 { return "\(bytes >> 10) KB" }
        return String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
