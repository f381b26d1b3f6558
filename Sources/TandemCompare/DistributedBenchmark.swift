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
        for spec in [ModelSpec(name: "mlp")!, ModelSpec.simpleCNN] {
            try dataset.validate(batchSize: batchSize * group.size, for: "DistributedBenchmark")
            let weights = spec.initialWeights(seed: 0)
            var comparison = Comparison(spec: spec, dataset: dataset, steps: 1, batchSize: batchSize, seed: 0)
            comparison.showProgress = false
            let contenders: [(String, () throws -> Trainer)] = [
                ("eager DDP (overlapped)", { try DistributedModuleTrainer(comparison, weights: weights, group: group) }),
                ("eager DDP (allreduce after backward)", {
                    try DistributedModuleTrainer(comparison, weights: weights, group: group, overlapsBackward: false)
                }),
                ("graph Horovod (fused)", { try DistributedGraphTrainer(comparison, weights: weights, group: group) }),
                ("graph Horovod (one allreduce per gradient)", {
                    try DistributedGraphTrainer(comparison, weights: weights, group: group, fusionThresholdBytes: 0)
                }),
            ]
            let sampler = DistributedSampler(count: batchSize * group.size, group: group, shuffle: false)
            let batches = dataset.schedule(steps: steps, batchSize: batchSize * group.size, seed: 0)
                .map { dataset.batch(sampler.shard($0), for: spec) }
            for (name, make) in contenders {
                note("\(spec.name) step, \(name)")
                let trainer = try make()
                for batch in batches.prefix(3) { _ = try trainer.step(batch.inputs, batch.labels) }
                var samples: [Double] = []
                for _ in 0..<repetitions {
                    try group.barrier(label: "benchmark repetition")
                    let start = Profiler.now()
                    for batch in batches { _ = try trainer.step(batch.inputs, batch.labels) }
                    samples.append(try slowest(milliseconds(since: start) / Double(batches.count), group))
                }
                let perStep = median(samples)
                rows.append(Row(
                    task: "\(spec.name) step, \(name)", ranks: group.size, median: perStep, minimum: samples.min() ?? 0,
                    maximum: samples.max() ?? 0, unit: "ms", examplesPerSecond: Double(batchSize * group.size) / perStep * 1000))
            }
        }
        return rows
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
