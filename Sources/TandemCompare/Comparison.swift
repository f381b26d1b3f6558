import Foundation

/// Trains one model through both frontends (and, traced, eager code run as a graph) from the same
/// initial weights on the same batches and
/// measures parity (loss per step, op-by-op values), speed (first and steady-state step, kernel
/// time versus overhead), memory (peak and a per-op timeline) and, with the fault catalogue,
/// debuggability.
///
/// ```swift
/// let spec = ModelSpec.mlp([784, 512, 256, 10])
/// let report = try Comparison(spec: spec, dataset: .mnist(), steps: 200, batchSize: 64, seed: 0).run()
/// print(report.table())
/// ```
public struct Comparison {
    /// The model.
    public var spec: ModelSpec
    /// The training data.
    public var dataset: ComparisonDataset
    /// Training steps per frontend.
    public var steps: Int
    /// Examples per step.
    public var batchSize: Int
    /// Seeds the initial weights and the batch order.
    public var seed: UInt64
    /// SGD learning rate (the reference recipe: 0.05).
    public var learningRate: Float = 0.05
    /// SGD momentum (the reference recipe: 0.9).
    public var momentum: Float = 0.9
    /// Two values closer than this are "the same" (losses, activations).
    public var tolerance: Double = 1e-4
    /// Whether to run the third column, traced (the eager Module traced into one training graph).
    public var includeTraced = true
    /// Whether `run()` also runs the fault catalogue.
    public var includeFaults = true
    /// Whether to draw progress bars on standard error (nil: only when it is a terminal).
    public var showProgress: Bool? = nil

    /// Creates a comparison with the reference recipe (SGD lr 0.05, momentum 0.9).
    public init(spec: ModelSpec, dataset: ComparisonDataset, steps: Int, batchSize: Int, seed: UInt64 = 0) {
        self.spec = spec
        self.dataset = dataset
        self.steps = steps
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Runs the comparison (and the fault catalogue when `includeFaults`) and returns the report.
    public func run() throws -> ComparisonReport {
        let model = try runModel()
        return ComparisonReport(models: [model], scorecard: includeFaults ? FaultCatalogue.run() : [])
    }

    /// Runs parity, speed and memory for the model, without the fault catalogue.
    ///
    /// The frontends run one after the other, each measured from a baseline taken before it is
    /// built, so one frontend's buffers never count against the other.
    public func runModel() throws -> ModelResult {
        guard steps >= 1 else { throw TandemError.invalidValue(op: "Comparison", reason: "steps \(steps) must be at least 1", location: nil) }
        try dataset.validate(batchSize: batchSize, for: "Comparison")
        var result = ModelResult(spec: spec, steps: steps, batchSize: batchSize, seed: seed, tolerance: tolerance)
        let weights = spec.initialWeights(seed: seed)
        let schedule = dataset.schedule(steps: steps, batchSize: batchSize, seed: seed)
        let first = dataset.batch(schedule[0], for: spec)
        result.activationDiffs = try compareActivations(weights: weights, batch: first)
        (result.graphDOTBefore, result.graphDOTAfter) = try graphPictures(weights: weights)
        let evalBatch = dataset.batch(schedule[schedule.count - 1], for: spec).inputs
        var trained: InspectableTrainer?
        result.eager = try measure("eager", schedule: schedule) {
            let trainer = try EagerTrainer(self, weights: weights)
            trained = trainer
            return trainer
        }
        let eagerState = try trained.map { (try $0.state(), try $0.evalLogits(evalBatch)) }
        trained = nil
        result.graph = try measure("graph", schedule: schedule) {
            let trainer = try GraphTrainer(self, weights: weights)
            trained = trainer
            return trainer
        }
        if let eagerState, let trained {
            result.trainedStateDiffs = compareTrainedState(
                eager: eagerState, graph: (try trained.state(), try trained.evalLogits(evalBatch)))
        }
        result.eagerStepInBackwardPeakBytes = try measureStepInBackward(weights: weights, schedule: schedule)
        if includeTraced {
            result.activationDiffs.append(try compareTracedLogits(weights: weights, batch: first.inputs))
            result.traced = try measure("traced", schedule: schedule) { try TracedTrainer(self, weights: weights) }
        }
        return result
    }
}

/// One frontend's training loop, as the measurement code drives it.
protocol Trainer: AnyObject {
    /// One SGD step on a batch; returns the loss before the update.
    func step(_ inputs: NDArray, _ labels: [Int]) throws -> Double
}

/// A trainer of the comparison whose whole state can be read back after training, for the
/// parity check of parameters and running statistics, and which evaluates in eval mode.
protocol InspectableTrainer: Trainer {
    /// Every parameter and buffer (running statistics) by state-dict key, as they stand now.
    func state() throws -> [String: NDArray]
    /// The logits of a batch in evaluation mode (batch norm reads its running statistics and
    /// moves nothing).
    func evalLogits(_ inputs: NDArray) throws -> NDArray
}

/// The eager frontend: parameters are `Tensor`s that require gradients, running statistics are
/// tensors that do not; each step runs the generic forward pass in training mode (which moves the
/// running statistics in place), `backward()`, and `SGD.step()`.
final class EagerTrainer: InspectableTrainer {
    let spec: ModelSpec
    let parameters: Parameters<Tensor>
    let optimizer: SGD

    init(_ comparison: Comparison, weights: [(name: String, value: NDArray)]) throws {
        spec = comparison.spec
        parameters = spec.state(weights: weights) { Tensor($1, requiresGrad: $2) }
        optimizer = SGD(Array(parameters.values.prefix(weights.count)), lr: comparison.learningRate, momentum: comparison.momentum)
    }

    func step(_ inputs: NDArray, _ labels: [Int]) throws -> Double {
        try checked {
            optimizer.zeroGrad()
            let loss = spec.loss(Tensor(inputs), labels: Tensor(labels: labels), parameters)
            loss.backward()
            optimizer.step()
            return Double(loss.item())
        }
    }

    func state() throws -> [String: NDArray] {
        Dictionary(uniqueKeysWithValues: zip(parameters.names, parameters.values.map(\.array)))
    }

    func evalLogits(_ inputs: NDArray) throws -> NDArray {
        try checked { noGrad { spec.forward(Tensor(inputs), parameters, training: false).array } }
    }
}

/// The eager frontend with PyTorch's "optimizer step in backward" recipe: each parameter has its
/// own SGD, stepped by a post-accumulate-grad hook as soon as backward has finished its gradient,
/// which is then dropped, so no weight gradient outlives its own update.
final class EagerStepInBackwardTrainer: Trainer {
    let spec: ModelSpec
    let parameters: Parameters<Tensor>

    init(_ comparison: Comparison, weights: [(name: String, value: NDArray)]) throws {
        spec = comparison.spec
        parameters = spec.state(weights: weights) { Tensor($1, requiresGrad: $2) }
        for p in parameters.values.prefix(weights.count) {
            let own = SGD([p], lr: comparison.learningRate, momentum: comparison.momentum)
            p.registerPostAccumulateGradHook { p in
                own.step()
                p.grad = nil
            }
        }
    }

    func step(_ inputs: NDArray, _ labels: [Int]) throws -> Double {
        try checked {
            let loss = spec.loss(Tensor(inputs), labels: Tensor(labels: labels), parameters)
            loss.backward()
            return Double(loss.item())
        }
    }
}

/// The graph frontend: the same generic forward pass records nodes once (in training mode for
/// the loss, and again in eval mode for predictions when the model has batch norm); each step is
/// one `Session.run` of the loss, the momentum optimizer's train op and `Graph.updateOps` (the
/// running-statistics updates, as a TF1 user must remember to run them).
final class GraphTrainer: InspectableTrainer {
    let graph = Graph()
    let inputs: Node
    let labels: Node
    let loss: Node
    let train: Node
    /// The logits in evaluation mode (the training logits when no layer has training state).
    let evalOutput: Node
    /// The predicted class of each example (argmax of the eval-mode logits), for evaluation.
    let predicted: Node
    /// The variables: parameters, then running statistics.
    let parameters: Parameters<Node>
    let session: Session

    init(
        _ comparison: Comparison, weights: [(name: String, value: NDArray)], options: Session.Options = Session.Options()
    ) throws {
        let spec = comparison.spec
        let graph = self.graph
        (inputs, labels, loss, train, evalOutput, parameters) = try checked {
            let inputs = graph.placeholder(shape: [nil] + spec.sampleShape.map { Optional($0) }, name: "x")
            let labels = graph.labelsPlaceholder(name: "y")
            let parameters = spec.state(weights: weights) { graph.variable($1, name: $0, trainable: $2) }
            let logits = spec.forward(inputs, parameters)
            let loss = crossEntropy(logits, labels)
            let train = MomentumOptimizer(learningRate: comparison.learningRate, momentum: comparison.momentum).minimize(loss)
            let evalLogits = spec.hasTrainingState ? spec.forward(inputs, parameters, training: false) : logits
            return (inputs, labels, loss, train, evalLogits, parameters)
        }
        let evalOutput = self.evalOutput
        predicted = try checked { evalOutput.argmax(dim: 1) }
        session = Session(graph: graph, options: options)
        try session.run(graph.initializeVariables())
    }

    func step(_ x: NDArray, _ y: [Int]) throws -> Double {
        let out = try session.run([loss, train] + graph.updateOps, feed: [inputs: x, labels: labelArray(y)])
        return Double(out[0].scalar)
    }

    func state() throws -> [String: NDArray] {
        Dictionary(uniqueKeysWithValues: zip(parameters.names, try session.run(parameters.values)))
    }

    func evalLogits(_ x: NDArray) throws -> NDArray {
        try session.run(evalOutput, feed: [inputs: x])
    }
}

/// Labels as the rank-1 NDArray of whole numbers a labels placeholder is fed.
func labelArray(_ labels: [Int]) -> NDArray {
    NDArray(shape: [labels.count], scalars: labels.map(Float.init))
}
