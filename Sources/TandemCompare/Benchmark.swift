import Foundation

/// `tandem bench`: the MLP training step (eager, graph with and without optimisation passes) and the
/// simple CNN's (eager, graph), their peak memory, the per-op framework overhead of a 1-element multiply, fused against composite
/// batch norm (`Benchmark+BatchNorm.swift`) and a recurrence as an eager loop against a graph
/// `whileLoop` (`Benchmark+ControlFlow.swift`), each the median of
/// several repetitions with the contenders interleaved so machine noise hits all of them alike.
public struct Benchmark {
    /// One row of results.
    public struct Row {
        /// What was measured, for example `mlp step, graph (passes on)`.
        public var task: String
        /// The median time in milliseconds (steps) or nanoseconds (tiny ops); see `unit`.
        public var median: Double
        /// The smallest repetition.
        public var minimum: Double
        /// The largest repetition.
        public var maximum: Double
        /// `ms` or `ns`.
        public var unit: String
        /// Peak bytes during one step, when measured.
        public var peakBytes: Int?
    }

    /// Repetitions per contender.
    public var repetitions = 5
    /// Training steps per repetition.
    public var stepsPerRepetition = 20
    /// Tiny-op calls per repetition.
    public var tinyOpsPerRepetition = 20_000
    /// Examples per step.
    public var batchSize = 64

    /// Creates a benchmark with default sizes.
    public init() {}

    /// Task groups to run (`mlp`, `cnn`, `tiny`, `batchnorm`, `controlflow`); nil runs them all.
    public var groups: Set<String>? = nil

    /// Every task group, in the order `run` measures them.
    public static let allGroups = ["mlp", "cnn", "tiny", "batchnorm", "controlflow"]

    /// Runs every task (of `groups`) and returns the rows.
    public func run(dataset: ComparisonDataset, progress: ((String) -> Void)? = nil) throws -> [Row] {
        guard repetitions >= 1 && stepsPerRepetition >= 1 else {
            throw TandemError.invalidValue(
                op: "Benchmark", reason: "repetitions (\(repetitions)) and stepsPerRepetition (\(stepsPerRepetition)) must be at least 1",
                location: nil)
        }
        if let unknown = groups?.subtracting(Benchmark.allGroups).sorted().first {
            throw TandemError.invalidValue(
                op: "Benchmark", reason: "unknown task group '\(unknown)' (known: \(Benchmark.allGroups.joined(separator: ", ")))",
                location: nil)
        }
        func wanted(_ group: String) -> Bool { groups?.contains(group) ?? true }
        try dataset.validate(batchSize: batchSize, for: "Benchmark")
        var rows: [Row] = []
        let noPasses = Session.Options(optimizer: .none)
        if wanted("mlp") {
            rows += try stepRows(ModelSpec(name: "mlp")!, dataset: dataset, progress: progress) { comparison, weights in [
                ("mlp step, eager", { try EagerTrainer(comparison, weights: weights) }),
                ("mlp step, graph (passes on)", { try GraphTrainer(comparison, weights: weights) }),
                ("mlp step, graph (passes off)", { try GraphTrainer(comparison, weights: weights, options: noPasses) }),
            ] }
        }
        if wanted("cnn") {
            rows += try stepRows(.simpleCNN, dataset: dataset, progress: progress) { comparison, weights in [
                ("cnn step, eager", { try EagerTrainer(comparison, weights: weights) }),
                ("cnn step, graph (passes on)", { try GraphTrainer(comparison, weights: weights) }),
            ] }
        }
        if wanted("tiny") {
            progress?("tiny ops")
            rows += try tinyOps()
        }
        if wanted("batchnorm") {
            progress?("batch norm")
            rows += batchNormRows()
        }
        if wanted("controlflow") {
            progress?("control flow")
            rows += try controlFlowRows()
        }
        return rows
    }

    /// The training step of one model (batch `batchSize`, the comparison's SGD with momentum) for
    /// each contender: its peak bytes during one step, then `repetitions` rounds of
    /// `stepsPerRepetition` steps with the contenders interleaved; ms per step.
    func stepRows(
        _ spec: ModelSpec, dataset: ComparisonDataset, progress: ((String) -> Void)?,
        contenders makeContenders: (Comparison, [(name: String, value: NDArray)]) -> [(String, () throws -> Trainer)]
    ) throws -> [Row] {
        let weights = spec.initialWeights(seed: 0)
        var comparison = Comparison(spec: spec, dataset: dataset, steps: 1, batchSize: batchSize, seed: 0)
        comparison.showProgress = false
        let contenders = makeContenders(comparison, weights)
        let schedule = dataset.schedule(steps: stepsPerRepetition, batchSize: batchSize, seed: 0)
        let batches = schedule.map { dataset.batch($0, for: spec) }
        var rows: [Row] = []
        var samples = [[Double]](repeating: [], count: contenders.count)
        var peaks = [Int](repeating: 0, count: contenders.count)
        for (c, contender) in contenders.enumerated() {
            progress?("memory: \(contender.0)")
            let baseline = MemoryStats.liveBytes
            let trainer = try contender.1()
            _ = try trainer.step(batches[0].inputs, batches[0].labels)  // first run: plan, optimise
            peaks[c] = try comparison.measureMemory(trainer, batches[1 % batches.count].inputs, batches[1 % batches.count].labels, baseline: baseline).peakBytes
        }
        let trainers = try contenders.map { try $0.1() }
        for trainer in trainers {
            for b in batches.prefix(3) { _ = try trainer.step(b.inputs, b.labels) }  // warm up
        }
        for repetition in 0..<repetitions {
            progress?("\(spec.name) training steps: repetition \(repetition + 1) of \(repetitions)")
            for (c, trainer) in trainers.enumerated() {
                let start = Profiler.now()
                for b in batches { _ = try trainer.step(b.inputs, b.labels) }
                samples[c].append(milliseconds(since: start) / Double(batches.count))
            }
        }
        for (c, contender) in contenders.enumerated() {
            rows.append(Row(task: contender.0, median: median(samples[c]), minimum: samples[c].min() ?? 0,
                maximum: samples[c].max() ?? 0, unit: "ms", peakBytes: peaks[c]))
        }
        return rows
    }

    /// Per-call time of a 1-element multiply: eager without and with autograd recording, and a
    /// graph session run of a single multiply node.
    func tinyOps() throws -> [Row] {
        let n = tinyOpsPerRepetition
        let a = Tensor(shape: [1], scalars: [1.5]), b = Tensor(shape: [1], scalars: [2])
        let ga = Tensor(shape: [1], scalars: [1.5], requiresGrad: true)
        let graph = Graph()
        let x = graph.placeholder(shape: [1], name: "x")
        let product = x * graph.constant(NDArray(shape: [1], scalars: [2]))
        let session = Session(graph: graph)
        let feed: [Node: NDArray] = [x: NDArray(shape: [1], scalars: [1.5])]
        _ = try session.run(product, feed: feed)
        let tasks: [(String, Int, () throws -> Void)] = [
            ("1-element multiply, eager", n, { for _ in 0..<n { _ = a * b } }),
            ("1-element multiply, eager (recording grad)", n, { for _ in 0..<n { _ = ga * b } }),
            ("1-element multiply, graph session.run", n / 10, { for _ in 0..<(n / 10) { _ = try session.run(product, feed: feed) } }),
        ]
        var samples = [[Double]](repeating: [], count: tasks.count)
        for _ in 0..<repetitions {
            for (t, task) in tasks.enumerated() {
                let start = Profiler.now()
                try task.2()
                samples[t].append(Double(Profiler.now() &- start) / Double(task.1))
            }
        }
        return tasks.enumerated().map { t, task in
            Row(task: task.0, median: median(samples[t]), minimum: samples[t].min() ?? 0, maximum: samples[t].max() ?? 0, unit: "ns", peakBytes: nil)
        }
    }
}
