/// Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay,
/// with `torch.optim.SGD`'s exact update and defaults:
///
///     d = (maximize ? −grad : grad) + weightDecay · param
///     buf = d  (first step),  buf = momentum · buf + (1 − dampening) · d  (later steps)
///     d = nesterov ? d + momentum · buf : buf          (when momentum ≠ 0)
///     param −= lr · d
///
/// ```swift
/// let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9, nesterov: true)
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
///
/// State dict: `state.<i>.momentum_buffer` (when momentum ≠ 0, after parameter i's first step);
/// `param_groups.0.` `lr`, `momentum`, `dampening`, `weight_decay`, `nesterov`, `maximize`.
public final class SGD: Optimizer {
    /// The parameters updated by ``step()``.
    public let parameters: [Tensor]
    /// The learning rate.
    public var lr: Float
    /// The momentum factor (0: plain SGD).
    public private(set) var momentum: Float
    /// Dampening for momentum.
    public private(set) var dampening: Float
    /// L2 penalty added to the gradient.
    public private(set) var weightDecay: Float
    /// Whether to use Nesterov momentum.
    public private(set) var nesterov: Bool
    /// Whether to maximise the objective (step along the gradient) instead of minimising it.
    public private(set) var maximize: Bool
    /// Whether gradients are accumulated on purpose over several backward calls per step.
    public var accumulating: Bool
    private var momentumBuffers: [NDArray?]

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - parameters: the tensors to update (usually `model.parameters`).
    ///   - lr: the learning rate (required, as in PyTorch).
    ///   - momentum: the momentum factor.
    ///   - dampening: dampening for momentum.
    ///   - weightDecay: L2 penalty.
    ///   - nesterov: Nesterov momentum (needs momentum > 0 and no dampening).
    ///   - maximize: maximise the objective instead of minimising it.
    ///   - accumulating: set when gradients are summed over several backward calls on purpose.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(
        _ parameters: [Tensor], lr: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
        nesterov: Bool = false, maximize: Bool = false, accumulating: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.maximize = maximize
        self.accumulating = accumulating
        momentumBuffers = Array(repeating: nil, count: parameters.count)
        if let reason = SGD.invalidReason(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov) {
            reportInvalidArgument("SGD", reason, file: file, line: line)
        }
    }

    private static func invalidReason(lr: Float, momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool) -> String? {
        if !(lr >= 0) || !lr.isFinite { return "invalid learning rate \(lr)" }
        if !(momentum >= 0) || !momentum.isFinite { return "invalid momentum value \(momentum)" }
        if !dampening.isFinite { return "invalid dampening value \(dampening)" }
        if !(weightDecay >= 0) || !weightDecay.isFinite { return "invalid weight_decay value \(weightDecay)" }
        if nesterov && (momentum <= 0 || dampening != 0) { return "Nesterov momentum requires a momentum and zero dampening" }
        return nil
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        guard prepareStep(buffers: [("momentum_buffer", momentumBuffers)]) else { return }
        for (i, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            OptimizerKernels.sgd(
                param: &parameter.array, grad: grad.array, momentumBuffer: &momentumBuffers[i], lr: lr,
                momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
        }
        Diagnostics.didStep()
    }

    /// The momentum buffers and hyperparameters (see the type's documentation for the keys).
    public func stateDict() -> [String: NDArray] {
        var writer = OptimizerStateWriter(parameterCount: parameters.count)
        writer.hyperparameter("lr", lr)
        writer.hyperparameter("momentum", momentum)
        writer.hyperparameter("dampening", dampening)
        writer.hyperparameter("weight_decay", weightDecay)
        writer.hyperparameter("nesterov", nesterov)
        writer.hyperparameter("maximize", maximize)
        for (i, buffer) in momentumBuffers.enumerated() { writer.buffer(i, "momentum_buffer", buffer) }
        return writer.entries
    }

    /// Restores momentum buffers and hyperparameters from ``stateDict()``'s output (or PyTorch's,
    /// flattened the same way); nothing changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        var reader = try OptimizerStateReader(stateDict, optimizer: "SGD", parameters: parameters)
        let lr = try reader.scalar("lr")
        let momentum = try reader.scalar("momentum")
        let dampening = try reader.scalar("dampening", atLeast: -.greatestFiniteMagnitude)
        let weightDecay = try reader.scalar("weight_decay")
        let nesterov = try reader.flag("nesterov")
        let maximize = try reader.flag("maximize")
        if let reason = SGD.invalidReason(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov) {
            throw reader.fail(reason)
        }
        let states = try reader.parameterStates(buffers: momentum == 0 ? [] : ["momentum_buffer"], countsSteps: false)
        (self.lr, self.momentum, self.dampening, self.weightDecay) = (lr, momentum, dampening, weightDecay)
        (self.nesterov, self.maximize) = (nesterov, maximize)
        momentumBuffers = states.map { $0?.buffers[0] }
    }
}
