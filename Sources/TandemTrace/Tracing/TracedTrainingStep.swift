/// Records one whole training step of an eager module (forward, loss, backward and the optimizer's
/// update) as one graph, the way `tf.function` wraps a train step: afterwards each
/// ``TracedTrainingStep/step(_:_:file:line:)`` is a single `Session.run`.
///
/// The forward pass and the loss are recorded from one eager run on `example` and `target`; the
/// backward pass is the graph's symbolic gradient of the recorded loss (the core's gradient rules,
/// the ones eager `backward()` uses), and the update is the graph train op of the eager
/// optimizer's rule and hyperparameters (`SGD`, `Adam`; see the limits there). So N traced steps
/// give the same losses and parameters as N eager `zeroGrad(); backward(); step()` steps.
///
/// ```swift
/// let model = Sequential([Linear(784, 128), ReLU(), Linear(128, 10)])
/// let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
/// let train = try traceTrainingStep(model, optimizer: optimizer, example: images, target: labels) {
///     crossEntropy($0, $1)
/// }
/// for (x, y) in batches { let loss = try train.step(x, y) }
/// try train.updateModuleParameters()        // the eager module now holds the trained values
/// ```
///
/// - Parameters:
///   - module: the eager module to train.
///   - optimizer: an eager optimizer over (some of) the module's parameters, not stepped yet.
///   - example: an input batch of the shape every step is fed.
///   - target: the target batch (class labels as whole numbers, or regression targets).
///   - file: the caller's file, recorded on the graph's inputs and quoted in errors.
///   - line: the caller's line.
///   - loss: the loss of the module's output and the target, a single value.
/// - Throws: a `TandemError` from the eager run, for an unsupported optimizer, for a loss that is
///   not a single value, or when the step uses `detach()` or a custom function (the graph's
///   gradient would flow through them).
public func traceTrainingStep(
    _ module: Module, optimizer: Optimizer, example: Tensor, target: Tensor,
    file: StaticString = #fileID, line: UInt = #line, loss: (Tensor, Tensor) -> Tensor
) throws -> TracedTrainingStep {
    try TracedTrainingStep(module, optimizer: optimizer, example: example, target: target, file: file, line: line, loss: loss)
}

/// A training step recorded as one graph by ``traceTrainingStep(_:optimizer:example:target:file:line:loss:)``.
///
/// The session holds the parameters (as variables) and the optimizer's slots; the eager module
/// is untouched until ``updateModuleParameters()`` copies the trained values back.
public final class TracedTrainingStep {
    /// The recorded graph: forward, loss, gradients and the train op.
    public let graph: Graph
    /// The placeholder the input batch is fed to.
    public let input: Node
    /// The placeholder the target batch is fed to.
    public let target: Node
    /// The loss node.
    public let loss: Node
    /// The optimizer's train op.
    public let trainOp: Node
    /// The session that runs the step.
    public let session: Session
    /// Warnings raised while tracing.
    public let warnings: [TracerWarning]
    private let parameters: [(tensor: Tensor, variable: Node)]

    init(
        _ module: Module, optimizer: Optimizer, example: Tensor, target: Tensor,
        file: StaticString, line: UInt, loss: (Tensor, Tensor) -> Tensor
    ) throws {
        let location = SourceLocation(file, line)
        let rule = try graphOptimizer(for: optimizer, at: location)
        let graph = Graph()
        let tracer = Tracer(graph: graph)
        let input = graph.placeholder(shape: example.shape.map { Optional($0) }, name: "input", file: file, line: line)
        let targetNode = graph.placeholder(shape: target.shape.map { Optional($0) }, name: "target", file: file, line: line)
        let parameters = bindParameters(of: module, in: tracer, file: file, line: line)
        tracer.bind(example, to: input)
        tracer.bind(target, to: targetNode)
        var trained: [Node] = []
        for tensor in optimizer.parameters {
            guard let entry = parameters.first(where: { $0.tensor === tensor }) else {
                throw TandemError.invalidValue(
                    op: "traceTrainingStep",
                    reason: "the optimizer updates a tensor of shape \(formatShape(tensor.shape)) that is not a parameter of the module",
                    location: location)
            }
            trained.append(entry.variable)
        }
        let value = try checked { OpRecording.recording(with: tracer) { noGrad { loss(module(example), target) } } }
        if let failure = tracer.failure { throw failure }
        if let cut = tracer.cutsGradient {
            throw TandemError.invalidValue(
                op: "traceTrainingStep",
                reason: "the step uses \(cut.what); a traced graph's gradient would flow through it, unlike eager backward()",
                location: cut.location ?? location)
        }
        guard value.count == 1 else {
            throw TandemError.shapeMismatch(
                op: "traceTrainingStep", shapes: [value.shape.map { Optional($0) }],
                reason: "the loss must be a single value, got shape \(formatShape(value.shape))", location: location)
        }
        let lossNode = tracer.node(for: value)
        let pairs = rule.computeGradients(lossNode, variables: trained, file: file, line: line)
        let trainOp = rule.applyGradients(pairs, file: file, line: line)
        let session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        self.graph = graph
        self.input = input
        self.target = targetNode
        self.loss = lossNode
        self.trainOp = trainOp
        self.session = session
        self.parameters = parameters
        warnings = tracer.warnings
    }

    /// Runs one training step on a batch: the loss, its gradients and the update, in one session run.
    ///
    /// - Parameters:
    ///   - input: an input batch of the traced example's shape.
    ///   - target: a target batch of the traced target's shape.
    ///   - file: the caller's file, quoted in errors.
    ///   - line: the caller's line.
    /// - Returns: the loss before the update (as eager code reads it before `optimizer.step()`).
    @discardableResult
    public func step(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Float {
        for (tensor, node) in [(input, self.input), (target, self.target)] where tensor.shape != node.staticShape {
            throw TandemError.shapeMismatch(
                op: "TracedTrainingStep.step", shapes: [node.shape, tensor.shape.map { Optional($0) }],
                reason: "the step was traced for \(node.name) of shape \(formatShape(node.shape)), got \(formatShape(tensor.shape)); "
                    + "trace another step for this shape",
                location: SourceLocation(file, line))
        }
        let values = try session.run(
            [loss, trainOp] + graph.updateOps, feed: [self.input: input.array, self.target: target.array])
        return values[0].scalar
    }

    /// Copies the trained values from the session into the eager module's parameter tensors.
    public func updateModuleParameters() throws {
        for (tensor, variable) in parameters { tensor.array = try session.value(of: variable) }
    }

    /// The current value of each parameter in the session, by state-dict key order of the module.
    public func parameterValues() throws -> [NDArray] {
        try parameters.map { try session.value(of: $0.variable) }
    }
}
