/// Adam, with `torch.optim.Adam`'s exact update and defaults (lr 1e-3, betas (0.9, 0.999),
/// eps 1e-8, no weight decay, amsgrad off):
///
///     g = grad + weightDecay · param
///     m = β1 · m + (1 − β1) · g,   v = β2 · v + (1 − β2) · g²
///     param −= lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
///
/// ```swift
/// let optimizer = Adam(model.parameters, lr: 1e-3)
/// ```
public final class Adam: Optimizer {
    /// The parameters updated by ``step()``.
    public let parameters: [Tensor]
    /// The learning rate.
    public var lr: Float
    /// The decay rates of the first and second moment estimates.
    public let betas: (Float, Float)
    /// Added to the denominator for numerical stability.
    public let eps: Float
    /// L2 penalty added to the gradient (torch.optim.Adam's weight_decay, not AdamW's).
    public let weightDecay: Float
    /// Whether gradients are accumulated on purpose over several backward calls per step.
    public var accumulating: Bool
    private var firstMoments: [NDArray?]
    private var secondMoments: [NDArray?]
    private var steps: [Int]

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - parameters: the tensors to update.
    ///   - lr: the learning rate.
    ///   - betas: decay rates of the moment estimates.
    ///   - eps: numerical-stability term.
    ///   - weightDecay: L2 penalty.
    ///   - accumulating: set when gradients are summed over several backward calls on purpose.
    public init(
        _ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
        weightDecay: Float = 0, accumulating: Bool = false
    ) {
        precondition(lr >= 0, "Adam: invalid learning rate \(lr)")
        precondition(eps >= 0, "Adam: invalid epsilon value \(eps)")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: invalid betas \(betas)")
        self.parameters = parameters
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.accumulating = accumulating
        firstMoments = Array(repeating: nil, count: parameters.count)
        secondMoments = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// Updates every parameter that has a gradient (each keeps its own step count, as in PyTorch).
    public func step() {
        guard prepareStep() else { return }
        for (i, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            if firstMoments[i] == nil {
                firstMoments[i] = NDArray(zeros: parameter.shape)
                secondMoments[i] = NDArray(zeros: parameter.shape)
            }
            steps[i] += 1
            OptimizerKernels.adam(
                param: &parameter.array, grad: grad.array, m: &firstMoments[i]!, v: &secondMoments[i]!, step: steps[i],
                lr: lr, beta1: betas.0, beta2: betas.1, eps: eps, weightDecay: weightDecay)
        }
        Diagnostics.didStep()
    }
}
