/// Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay,
/// with `torch.optim.SGD`'s exact update and defaults:
///
///     d = grad + weightDecay · param
///     buf = d  (first step),  buf = momentum · buf + (1 − dampening) · d  (later steps)
///     d = nesterov ? d + momentum · buf : buf          (when momentum ≠ 0)
///     param −= lr · d
///
/// ```swift
/// let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
public final class SGD: Optimizer {
    /// The parameters updated by ``step()``.
    public let parameters: [Tensor]
    /// The learning rate.
    public var lr: Float
    /// The momentum factor (0: plain SGD).
    public let momentum: Float
    /// Dampening for momentum.
    public let dampening: Float
    /// L2 penalty added to the gradient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
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
    ///   - accumulating: set when gradients are summed over several backward calls on purpose.
    public init(
        _ parameters: [Tensor], lr: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
        nesterov: Bool = false, accumulating: Bool = false
    ) {
        precondition(lr >= 0, "SGD: invalid learning rate \(lr)")
        precondition(momentum >= 0, "SGD: invalid momentum value \(momentum)")
        precondition(weightDecay >= 0, "SGD: invalid weight_decay value \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.accumulating = accumulating
        momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        guard prepareStep() else { return }
        for (i, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            OptimizerKernels.sgd(
                param: &parameter.array, grad: grad.array, momentumBuffer: &momentumBuffers[i], lr: lr,
                momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
        }
        Diagnostics.didStep()
    }
}
