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
        result.eager = try measure("eager", schedule: schedule) { try EagerTrainer(self, weights: weights) }
        result.graph = try measure("graph", schedule: schedule) { try GraphTrainer(self, weights: weights) }
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

/// The eager frontend: parameters are `Tensor`s that require gradients; each step runs the
/// generic forward pass, `backward()`, and `SGD.step()`.
final class EagerTrainer: Trainer {
    let spec: ModelSpec
    let parameters: Parameters<Tensor>
    let optimizer: SGD

    init(_ comparison: Comparison, weights: [(name: String, value: NDArray)]) throws {
        spec = comparison.spec
        parameters = Parameters(weights) { Tensor($1, requiresGrad: true) }
        optimizer = SGD(parameters.values, lr: comparison.learningRate, momentum: comparison.momentum)
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
}

/// The eager frontend with PyTorch's "optimizer step in backward" recipe: each parameter has its
/// own SGD, stepped by a post-accumulate-grad hook as soon as backward has finished its gradient,
/// which is then dropped, so no weight gradient outlives its own update.
final class EagerStepInBackwardTrainer: Trainer {
    let spec: ModelSpec
    let parameters: Parameters<Tensor>

    init(_ comparison: Comparison, weights: [(name: String, value: NDArray)]) throws {
        spec = comparison.spec
        parameters = Parameters(weights) { Tensor($1, requiresGrad: true) }
        for p in parameters.values {
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

/// The graph frontend: the same generic forward pass records nodes once; each step is one
/// `Session.run` of the loss and the momentum optimizer's train op.
final class GraphTrainer: Trainer {
    let graph = Graph()
    let inputs: Node
    let labels: Node
    let loss: Node
    let train: Node
    /// The predicted class of each example (argmax of the logits), for evaluation.
    let predicted: Node
    let session: Session

    init(
        _ comparison: Comparison, weights: [(name: String, value: NDArray)], options: Session.Options = Session.Options()
    ) throws {
        let spec = comparison.spec
        let graph = self.graph
        (inputs, labels, loss, train, predicted) = try checked {
            let inputs = graph.placeholder(shape: [nil] + spec.sampleShape.map { Optional($0) }, name: "x")
            let labels = graph.labelsPlaceholder(name: "y")
            let parameters = Parameters(weights) { graph.variable($1, name: $0) }
            let logits = spec.forward(inputs, parameters)
            let loss = crossEntropy(logits, labels)
            let train = MomentumOptimizer(learningRate: comparison.learningRate, momentum: comparison.momentum).minimize(loss)
            return (inputs, labels, loss, train, logits.argmax(dim: 1))
        }
        session = Session(graph: graph, options: options)
        try session.run(graph.initializeVariables())
    }

    func step(_ x: NDArray, _ y: [Int]) throws -> Double {
        let out = try session.run([loss, train], feed: [inputs: x, labels: labelArray(y)])
        return Double(out[0].scalar)
    }
}

/// Labels as the rank-1 NDArray of whole numbers a labels placeholder is fed.
func labelArray(_ labels: [Int]) -> NDArray {
    NDArray(shape: [labels.count], scalars: labels.map(Float.init))
}
