/// A Keras-style stack of layers (`tf.keras.Sequential`) built on a graph and a session.
///
/// `compile` chooses the optimizer, loss and metrics; the first `fit`, `evaluate` or `predict`
/// builds the graph from the data's shape (or from `inputShape:`): a placeholder for the
/// inputs, one for the labels, the layers' nodes for training and for inference, the loss and
/// the optimizer's train op. Everything runs in one ``Session`` with all graph passes: there is
/// no second execution engine.
///
/// Inputs are NCHW for convolutional models (see ``Conv2D``).
///
/// ```swift
/// let model = Sequential([
///     Conv2D(32, kernelSize: 3, activation: .relu), MaxPooling2D(poolSize: 2), Flatten(),
///     Dense(128, activation: .relu), Dense(10),
/// ])
/// model.compile(optimizer: .sgd(learningRate: 0.05, momentum: 0.9),
///               loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
/// let history = try model.fit(train.images, train.labels, epochs: 5, batchSize: 64)
/// let scores = try model.evaluate(test.images, test.labels)   // ["loss": ..., "accuracy": ...]
/// ```
public final class Sequential {
    /// An optimizer choice for `compile` (the graph optimizers with Keras' names).
    public enum Optimizer {
        /// Gradient descent, with momentum when `momentum` is not 0 (Nesterov's when `nesterov`).
        case sgd(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false)
        /// Adam.
        case adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)
        /// RMSprop (Keras' defaults; `rho` is the mean-square decay), as ``RMSPropOptimizer``.
        case rmsprop(learningRate: Float = 1e-3, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7)
        /// AdamW, decoupled weight decay scaled by the learning rate (Keras' defaults), as ``AdamWOptimizer``.
        case adamW(learningRate: Float = 1e-3, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7)

        var trainingOptimizer: TrainingOptimizer {
            switch self {
            case let .sgd(lr, momentum, nesterov):
                return momentum == 0
                    ? GradientDescentOptimizer(learningRate: lr) as TrainingOptimizer
                    : MomentumOptimizer(learningRate: lr, momentum: momentum, useNesterov: nesterov)
            case let .adam(lr, beta1, beta2, epsilon):
                return AdamOptimizer(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon)
            case let .rmsprop(lr, rho, momentum, epsilon):
                return RMSPropOptimizer(learningRate: lr, decay: rho, momentum: momentum, epsilon: epsilon)
            case let .adamW(lr, weightDecay, beta1, beta2, epsilon):
                return AdamWOptimizer(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
            }
        }
    }

    /// A loss choice for `compile`.
    public enum Loss {
        /// Cross-entropy against integer class labels; `fromLogits: false` means the model
        /// outputs probabilities.
        case sparseCategoricalCrossentropy(fromLogits: Bool)
        /// The mean squared error against targets shaped like the output.
        case meanSquaredError
    }

    /// A metric for `compile`.
    public enum Metric: String {
        /// The fraction of examples whose largest output is the label.
        case accuracy
    }

    /// The layers, in order.
    public let layers: [Layer]
    /// The graph, once built.
    public private(set) var graph: Graph?
    /// The session holding the weights, once built.
    public private(set) var session: Session?
    /// The session options used when the graph is built (passes, numerics checks).
    public var sessionOptions = Session.Options()

    var inputShape: [Int]?
    /// The optimizer, loss and metrics given to `compile` (nil before: `fit` and friends throw).
    var compiled: (optimizer: Optimizer, loss: Loss, metrics: [Metric])?
    var metrics: [Metric] { compiled?.metrics ?? [] }
    var built: Built?
    /// Each layer's output shape without the batch, once built (for `summary()`).
    var layerOutputShapes: [[Int]] = []

    /// The graph nodes of a built model.
    struct Built {
        let input: Node
        let target: Node
        let trainLoss: Node
        let trainPredictions: Node?
        let trainOp: Node
        /// The graph's update ops (batch norm's moving averages), run with every train step.
        let updateOps: [Node]
        let outputs: Node
        let evalLoss: Node
        let evalPredictions: Node?
    }

    /// Creates a model from layers; `inputShape` (without the batch) builds it at once,
    /// otherwise the first data seen sets it.
    ///
    /// - Parameters:
    ///   - layers: the layers, applied in order.
    ///   - inputShape: the sample shape without the batch dimension; nil: taken from the first data.
    public init(_ layers: [Layer], inputShape: [Int]? = nil) {
        self.layers = layers
        self.inputShape = inputShape
    }

    /// Chooses the optimizer, loss and metrics (`model.compile`). Call before `fit`.
    ///
    /// - Parameters:
    ///   - optimizer: the training optimizer (`.sgd`, `.adam`).
    ///   - loss: the loss minimised by `fit`.
    ///   - metrics: what `fit` and `evaluate` report besides the loss.
    ///
    /// Compiling a model that is already built (it has seen data, or was given `inputShape`)
    /// rebuilds its training graph with the new choices and keeps the learned weights, as Keras
    /// does; the optimizer's state (momentum, Adam's moments) starts afresh.
    public func compile(optimizer: Optimizer, loss: Loss, metrics: [Metric] = []) {
        compiled = (optimizer, loss, metrics)
        if let built, let session, let graph, let inputShape {
            let weights = variables.map { try? session.value(of: $0) }
            let shapes = layerOutputShapes
            self.built = nil
            try? build(inputShape: inputShape, for: "compile")
            // The layers made new variables, in the same order and shapes: copy the old values in.
            if let newSession = self.session, self.built != nil {
                for (variable, value) in zip(variables, weights) {
                    if let value { try? newSession.assign(value, to: variable) }
                }
            } else {
                (self.built, self.session, self.graph, self.layerOutputShapes) = (built, session, graph, shapes)
            }
        } else if let inputShape, built == nil {
            try? build(inputShape: inputShape, for: "compile")
        }
    }

    /// The model's variables, layer by layer.
    public var variables: [Node] { layers.flatMap(\.variables) }

    /// The input node (after building), to feed a loaded or exported graph.
    public var inputNode: Node? { built?.input }
    /// The inference output node (after building).
    public var outputNode: Node? { built?.outputs }

    /// Throws unless `compile` was called: `fit`, `evaluate` and `predict` do not guess an
    /// optimizer or a loss.
    func requireCompiled(for api: String, at location: SourceLocation?) throws {
        guard compiled == nil else { return }
        throw TandemError.invalidValue(
            op: "Sequential.\(api)",
            reason: "the model must be compiled before \(api): call compile(optimizer:loss:metrics:) first "
                + "(Keras: \"You must compile your model before training/testing\")",
            location: location)
    }

    /// Builds the graph for inputs of `inputShape` (without the batch) and initialises the weights.
    ///
    /// - Parameters:
    ///   - inputShape: the sample shape without the batch.
    ///   - api: the public method asking (`fit`, `evaluate`, `predict`), for the error before `compile`.
    ///   - location: the user's line that called it.
    func build(inputShape: [Int], for api: String, at location: SourceLocation? = nil) throws {
        try requireCompiled(for: api, at: location)
        guard let compiled else { return }
        let (optimizer, loss, metrics) = compiled
        if let built {
            let expected = built.input.staticShape.dropFirst()
            guard Array(expected) == inputShape else {
                throw TandemError.graph(
                    node: built.input.name,
                    reason: "the model was built for inputs of shape [?, \(expected.map(String.init).joined(separator: ", "))], "
                        + "not [?, \(inputShape.map(String.init).joined(separator: ", "))]",
                    location: built.input.location)
            }
            return
        }
        if let reason = invalidShapeReason(inputShape) {
            throw TandemError.invalidValue(op: "Sequential.\(api)", reason: "input sample \(reason)", location: location)
        }
        let g = Graph()
        let x = g.placeholder(shape: [nil] + inputShape.map { $0 }, name: "input")
        var shape = inputShape
        var shapes: [[Int]] = []
        // A layer reports a shape its op's rule rejects; `checked` turns that into this throw.
        try checked {
            for layer in layers {
                shape = layer.build(inputShape: shape, in: g)
                shapes.append(shape)
            }
        }
        func forward(training: Bool) -> Node {
            layers.reduce(x) { $1($0, training: training) }
        }
        let trainOutput = forward(training: true)
        let hasTrainingBehaviour = layers.contains { $0.dependsOnTraining }
        let evalOutput = hasTrainingBehaviour ? forward(training: false) : trainOutput
        let target: Node
        switch loss {
        case .sparseCategoricalCrossentropy: target = g.labelsPlaceholder(name: "labels")
        case .meanSquaredError: target = g.placeholder(shape: [nil] + shape.map { $0 }, name: "targets")
        }
        func lossNode(_ output: Node) -> Node {
            switch loss {
            case .sparseCategoricalCrossentropy(let fromLogits):
                return crossEntropy(fromLogits ? output : output.log(), target)
            case .meanSquaredError:
                return mseLoss(output, target)
            }
        }
        let wantsAccuracy = metrics.contains(.accuracy)
        let trainLoss = lossNode(trainOutput)
        let trainOp = optimizer.trainingOptimizer.minimize(trainLoss)
        let evalLoss = hasTrainingBehaviour ? lossNode(evalOutput) : trainLoss
        built = Built(
            input: x, target: target, trainLoss: trainLoss,
            trainPredictions: wantsAccuracy ? trainOutput.argmax(dim: 1) : nil,
            trainOp: trainOp, updateOps: g.updateOps, outputs: evalOutput, evalLoss: evalLoss,
            evalPredictions: wantsAccuracy ? evalOutput.argmax(dim: 1) : nil)
        let initializer = g.initializeVariables()
        g.finalize()
        let session = Session(graph: g, options: sessionOptions)
        try session.run(initializer)
        self.graph = g
        self.session = session
        self.inputShape = inputShape
        self.layerOutputShapes = shapes
    }
}
