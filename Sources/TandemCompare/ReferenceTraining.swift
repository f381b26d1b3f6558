import Foundation
import TandemDistributed

/// The reference MNIST recipe (pixels / 255, batch 64, SGD lr 0.05 momentum 0.9; 10 epochs for the
/// MLP, 5 for the CNN) in either frontend, reporting test accuracy after every epoch.
///
/// The eager run uses the `Sequential` module built from the spec (`makeModule`); the graph run
/// records the spec's generic forward pass once and runs it in a session. Both start from the
/// same seeded weights.
public struct ReferenceTraining {
    /// Which frontend trains.
    public enum Frontend: String, CaseIterable, Sendable {
        /// TandemEager: a `Sequential` module, tape autograd, `SGD`.
        case eager
        /// TandemGraph: one recorded graph run in a `Session`, `MomentumOptimizer`.
        case graph
    }

    /// What one epoch achieved.
    public struct Epoch {
        /// 1-based epoch number.
        public var number: Int
        /// The mean training loss over the epoch.
        public var meanLoss: Double
        /// The fraction of test images classified correctly after the epoch.
        public var testAccuracy: Double
        /// Seconds the epoch's training took.
        public var seconds: Double
        /// The training loss of every step, before its update (averaged over the ranks when
        /// distributed).
        public var losses: [Double] = []
    }

    /// The model.
    public var spec: ModelSpec
    /// The frontend.
    public var frontend: Frontend
    /// Passes over the training set.
    public var epochs: Int
    /// Examples per step.
    public var batchSize = 64
    /// SGD learning rate.
    public var learningRate: Float = 0.05
    /// SGD momentum.
    public var momentum: Float = 0.9
    /// Seeds weights and shuffling.
    public var seed: UInt64 = 0
    /// Stop after this many steps in all (the last epoch is cut short); nil: every epoch in full.
    public var maxSteps: Int?
    /// Train data-parallel over these ranks (DistributedDataParallel or DistributedOptimizer),
    /// `batchSize` examples per rank; nil: one process, as before.
    public var group: ProcessGroup?

    /// A run with the reference recipe; `epochs` defaults to 10 for an MLP and 5 for a CNN.
    public init(spec: ModelSpec, frontend: Frontend, epochs: Int? = nil) {
        self.spec = spec
        self.frontend = frontend
        if case .mlp = spec { self.epochs = epochs ?? 10 } else { self.epochs = epochs ?? 5 }
    }

    /// Trains and evaluates; `onStep(step, stepsPerEpoch, loss)` and `onEpoch` report progress.
    public func run(
        train: ComparisonDataset, test: ComparisonDataset,
        onStep: (Int, Int, Double) -> Void = { _, _, _ in }, onEpoch: (Epoch) -> Void = { _ in }
    ) throws -> [Epoch] {
        // Distributed, each step's global batch of batchSize x ranks examples is the one a single
        // process would draw, and each rank takes its shard (every size-th example).
        let globalBatch = batchSize * (group?.size ?? 1)
        try train.validate(batchSize: globalBatch, for: "ReferenceTraining")
        let weights = spec.initialWeights(seed: seed)
        let stepsPerEpoch = train.count / globalBatch
        // Saturating: a huge epoch count means "until maxSteps", not an overflow trap.
        let (allSteps, overflow) = stepsPerEpoch.multipliedReportingOverflow(by: epochs)
        let totalSteps = Swift.min(overflow ? .max : allSteps, maxSteps ?? .max)
        let schedule = train.schedule(steps: totalSteps, batchSize: globalBatch, seed: seed)
        let sampler = group.map { DistributedSampler(count: globalBatch, group: $0, shuffle: false) }
        let comparison = { () -> Comparison in
            var c = Comparison(spec: spec, dataset: train, steps: 1, batchSize: batchSize, seed: seed)
            c.learningRate = learningRate
            c.momentum = momentum
            return c
        }()
        let trainer: Trainer & Classifier
        switch (frontend, group) {
        case (.eager, nil): trainer = try ModuleTrainer(comparison, weights: weights)
        case (.graph, nil): trainer = try GraphTrainer(comparison, weights: weights)
        case (.eager, let group?): trainer = try DistributedModuleTrainer(comparison, weights: weights, group: group)
        case (.graph, let group?): trainer = try DistributedGraphTrainer(comparison, weights: weights, group: group)
        }
        var results: [Epoch] = []
        for epoch in 0..<epochs {
            guard epoch * stepsPerEpoch < totalSteps else { break }  // not `where`: epochs may be huge
            let start = Date()
            let steps = Swift.min(stepsPerEpoch, totalSteps - epoch * stepsPerEpoch)
            var losses: [Double] = []
            for step in 0..<steps {
                var indices = schedule[epoch * stepsPerEpoch + step]
                if let sampler { indices = sampler.shard(indices) }
                let (x, y) = train.batch(indices, for: spec)
                let loss = try trainer.step(x, y)
                losses.append(loss)
                onStep(step + 1, steps, loss)
            }
            if let group { losses = try group.allreduce(losses.map(Float.init), op: .average, label: "training losses").map(Double.init) }
            let seconds = Date().timeIntervalSince(start)
            let accuracy = try Self.accuracy(trainer, spec: spec, on: test, group: group)
            let result = Epoch(
                number: epoch + 1, meanLoss: losses.reduce(0, +) / Double(max(steps, 1)), testAccuracy: accuracy,
                seconds: seconds, losses: losses)
            results.append(result)
            onEpoch(result)
        }
        return results
    }

    /// The fraction of `data` whose highest logit is the label; distributed, each rank
    /// classifies every size-th example and the ranks add up their counts.
    static func accuracy(_ model: Classifier, spec: ModelSpec, on data: ComparisonDataset, group: ProcessGroup? = nil) throws -> Double {
        let examples = group.map { Array(Swift.stride(from: $0.rank, to: data.count, by: $0.size)) } ?? Array(0..<data.count)
        var correct = 0
        var start = 0
        while start < examples.count {
            let indices = Array(examples[start..<min(start + 250, examples.count)])
            let (x, labels) = data.batch(indices, for: spec)
            let predicted = try model.predictions(x)
            correct += zip(predicted, labels).filter { $0 == $1 }.count
            start += indices.count
        }
        if let group { correct = Int(try group.allreduce([Float(correct)], op: .sum, label: "test accuracy")[0]) }
        return Double(correct) / Double(max(data.count, 1))
    }
}

/// A trained model that can classify a batch.
protocol Classifier: AnyObject {
    /// The predicted class of each example.
    func predictions(_ inputs: NDArray) throws -> [Int]
}

/// The eager Module path: `Sequential` from the spec, `SGD` over its parameters.
final class ModuleTrainer: Trainer, Classifier {
    let model: TandemEager.Sequential
    let optimizer: SGD

    init(_ comparison: Comparison, weights: [(name: String, value: NDArray)]) throws {
        model = try comparison.spec.makeModule(weights: weights)
        optimizer = SGD(model.parameters, lr: comparison.learningRate, momentum: comparison.momentum)
    }

    func step(_ inputs: NDArray, _ labels: [Int]) throws -> Double {
        try checked {
            optimizer.zeroGrad()
            let loss = crossEntropy(model(Tensor(inputs)), Tensor(labels: labels))
            loss.backward()
            optimizer.step()
            return Double(loss.item())
        }
    }

    /// Classifies in eval mode (batch norm reads its running statistics, dropout is off), then
    /// returns the model to training mode.
    func predictions(_ inputs: NDArray) throws -> [Int] {
        model.eval()
        defer { model.train() }
        return try checked { noGrad { model(Tensor(inputs)).argmax(dim: 1).scalars.map { Int($0) } } }
    }
}

extension GraphTrainer: Classifier {
    func predictions(_ inputs: NDArray) throws -> [Int] {
        try session.run(predicted, feed: [self.inputs: inputs]).scalars.map { Int($0) }
    }
}
