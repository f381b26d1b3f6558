import Foundation

/// The distributed faults as the programs each rank runs, written the way a user would, with
/// the mistake on the line marked `fault = here()`; each has a fault-free twin (`twin: true`)
/// that must run without a word. `tandem distributed-fault` runs one of them on every rank of
/// an `mpirun` job; ``DistributedFaults`` launches the job and judges what the ranks reported.
enum DistributedFaultPrograms {
    /// A small MLP on a synthetic dataset of 129 examples (an odd count, so a hand-made
    /// round-robin split gives two ranks 65 and 64 examples: 3 and 2 batches of 32).
    static let spec = ModelSpec.mlp([784, 64, 10])
    static let batchSize = 32
    static func dataset() -> ComparisonDataset { .synthetic(count: 129, seed: 5) }

    /// Runs `fault` in `frontend` on this rank and records what happened in `probe`.
    static func run(_ fault: Fault, frontend: String, twin: Bool, probe: RankProbe) throws {
        switch (fault, frontend) {
        case (.unevenBatches, "eager"): try eagerUneven(twin: twin, probe)
        case (.unevenBatches, "graph"): try graphUneven(twin: twin, probe)
        case (.replicasDiffer, "eager"): try eagerReplicas(twin: twin, probe)
        case (.replicasDiffer, "graph"): try graphReplicas(twin: twin, probe)
        default:
            throw TandemError.invalidValue(
                op: "distributed-fault", reason: "no distributed program for \(fault.rawValue) in \(frontend)", location: nil)
        }
    }

    /// Batches of `batchSize` over a shard, the last one possibly smaller (a DataLoader without dropLast).
    static func batches(_ shard: [Int]) -> [[Int]] {
        Swift.stride(from: 0, to: shard.count, by: batchSize).map { Array(shard[$0..<Swift.min($0 + batchSize, shard.count)]) }
    }

    /// Eager: each rank takes every size-th example by hand, so one rank gets a third batch and
    /// waits in its allreduce for a partner that has finished. Twin: `DistributedSampler`.
    static func eagerUneven(twin: Bool, _ probe: RankProbe) throws {
        let group = ProcessGroup.world
        let data = dataset()
        let model = DistributedDataParallel(try spec.makeModule(weights: spec.initialWeights(seed: 0)))
        let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
        let shard: [Int]
        if twin {
            shard = DistributedSampler(count: data.count, shuffle: false).epochIndices()
        } else {
            shard = Array(Swift.stride(from: group.rank, to: data.count, by: group.size)); probe.fault = here()
        }
        probe.startRunning()
        for indices in batches(shard) {
            let (x, y) = data.batch(indices, for: spec)
            do {
                try checked {
                    optimizer.zeroGrad()
                    crossEntropy(model(Tensor(x)), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            } catch {
                probe.record(error)
                break
            }
        }
        probe.loopEnded()
    }

    /// Graph: the same split; the train op's allreduce node waits for the partner.
    static func graphUneven(twin: Bool, _ probe: RankProbe) throws {
        let group = ProcessGroup.world
        let data = dataset()
        let model = try GraphModel(weights: spec.initialWeights(seed: 0))
        try model.session.broadcastVariables(from: 0)
        let shard: [Int]
        if twin {
            shard = DistributedSampler(count: data.count, shuffle: false).epochIndices()
        } else {
            shard = Array(Swift.stride(from: group.rank, to: data.count, by: group.size)); probe.fault = here()
        }
        probe.startRunning(warnings: model.graph.warnings)
        for indices in batches(shard) {
            do {
                try model.step(data.batch(indices, for: spec))
            } catch {
                probe.record(error)
                break
            }
        }
        probe.loopEnded(warnings: model.graph.warnings)
    }

    /// Eager: rank 0 loads a checkpoint after the model was wrapped (DDP broadcast rank 0's
    /// weights at construction, before the load), so the replicas differ. Twin: load, then wrap.
    static func eagerReplicas(twin: Bool, _ probe: RankProbe) throws {
        let group = ProcessGroup.world
        let data = dataset()
        let checkpoint = Dictionary(uniqueKeysWithValues: spec.initialWeights(seed: 1).map { ($0.name, $0.value) })
        let network = try spec.makeModule(weights: spec.initialWeights(seed: 0))
        let model: DistributedDataParallel
        if twin {
            if group.rank == 0 { try network.loadStateDict(checkpoint) }
            model = DistributedDataParallel(network)
        } else {
            model = DistributedDataParallel(network)
            if group.rank == 0 { try network.loadStateDict(checkpoint) }; probe.fault = here()
        }
        let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        for indices in batches(DistributedSampler(count: data.count, shuffle: false).epochIndices()).prefix(2) {
            let (x, y) = data.batch(indices, for: spec)
            do {
                try checked {
                    optimizer.zeroGrad()
                    crossEntropy(model(Tensor(x)), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            } catch {
                probe.record(error)
                break
            }
        }
        probe.loopEnded()
    }

    /// Graph: every rank draws its own random initial weights and nobody broadcasts rank 0's
    /// (Horovod's forgotten `broadcast_global_variables`). Twin: broadcast after initialising.
    static func graphReplicas(twin: Bool, _ probe: RankProbe) throws {
        let group = ProcessGroup.world
        let data = dataset()
        let model = try GraphModel(weights: spec.initialWeights(seed: UInt64(group.rank))); probe.fault = here()
        if twin { try model.session.broadcastVariables(from: 0) }
        probe.startRunning(warnings: model.graph.warnings)
        for indices in batches(DistributedSampler(count: data.count, shuffle: false).epochIndices()).prefix(2) {
            do {
                try model.step(data.batch(indices, for: spec))
            } catch {
                probe.record(error)
                break
            }
        }
        probe.loopEnded(warnings: model.graph.warnings)
    }

    /// The graph program's model: the spec's forward, `DistributedOptimizer` around momentum SGD.
    final class GraphModel {
        let graph = Graph()
        let x: Node
        let y: Node
        let loss: Node
        let train: Node
        let session: Session

        init(weights: [(name: String, value: NDArray)]) throws {
            let graph = self.graph
            (x, y, loss, train) = try checked {
                let x = graph.placeholder(shape: [nil, 784], name: "x")
                let y = graph.labelsPlaceholder(name: "y")
                let loss = spec.loss(x, labels: y, Parameters(weights) { graph.variable($1, name: $0) })
                let train = DistributedOptimizer(wrapping: MomentumOptimizer(learningRate: 0.05, momentum: 0.9)).minimize(loss)
                return (x, y, loss, train)
            }
            session = Session(graph: graph)
            try session.run(graph.initializeVariables())
        }

        func step(_ batch: (inputs: NDArray, labels: [Int])) throws {
            try session.run([loss, train], feed: [x: batch.inputs, y: labelArray(batch.labels)])
        }
    }
}

/// What one rank of a distributed fault program saw, written as JSON for the launching process.
final class RankProbe {
    struct Record: Codable {
        var rank: Int
        var errors: [Event] = []
        var warnings: [Event] = []
        /// When the training loop ended (seconds since 1970).
        var loopEnd: Double?
        var faultFile: String?
        var faultLine: Int?
    }

    struct Event: Codable {
        var message: String
        var phase: String
        var time: Double
        /// The error's ``DistributedDiagnostic`` code, when it is one (nil for warnings and other errors).
        var diagnostic: String?
    }

    private(set) var record: Record
    private var phase: DetectionTime = .construction
    private var seenWarnings = 0
    var fault: SourceLocation? {
        didSet {
            record.faultFile = fault?.file
            record.faultLine = fault?.line
        }
    }

    init(rank: Int) {
        record = Record(rank: rank)
        seenWarnings = Diagnostics.warnings.count
    }

    func startRunning(warnings: [String] = []) {
        collect(warnings)
        phase = .run
    }

    func record(_ error: Error) {
        record.errors.append(Event(
            message: "\(error)", phase: phase.rawValue, time: Date().timeIntervalSince1970,
            diagnostic: DistributedDiagnostic(error)?.rawValue))
    }

    func loopEnded(warnings: [String] = []) {
        collect(warnings)
        record.loopEnd = Date().timeIntervalSince1970
    }

    /// New eager diagnostics, and the graph's warnings, attributed to the current phase.
    private func collect(_ graphWarnings: [String]) {
        let all = Diagnostics.warnings + graphWarnings
        for warning in all.dropFirst(seenWarnings) {
            record.warnings.append(Event(message: warning, phase: phase.rawValue, time: Date().timeIntervalSince1970))
        }
        seenWarnings = all.count
    }
}
