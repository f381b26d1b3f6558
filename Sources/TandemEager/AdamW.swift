/// Adam with decoupled weight decay (`torch.optim.AdamW`, Loshchilov & Hutter), with its exact
/// update and defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2):
///
///     param ·= 1 − lr · weightDecay                  (the decay never enters the moments)
///     g = maximize ? −grad : grad
///     m = β1 · m + (1 − β1) · g,   v = β2 · v + (1 − β2) · g²,   v̂max = max(v̂max, v) (amsgrad)
///     param −= lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
///
/// ```swift
/// let optimizer = AdamW(model.parameters, lr: 3e-4, weightDecay: 0.05)
/// ```
///
/// State dict: as ``Adam``'s (`state.<i>.` `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`;
/// `param_groups.0.` `lr`, `betas`, `eps`, `weight_decay`, `amsgrad`, `maximize`, and
/// `decoupled_weight_decay` 1, which tells the two apart).
public final class AdamW: Optimizer {
    /// The parameters updated by ``step()``.
    public let parameters: [Tensor]
    /// The learning rate (the weight decay is scaled by it, as in PyTorch).
    public var lr: Float
    /// The decay rates of the first and second moment estimates.
    public private(set) var betas: (Float, Float)
    /// Added to the denominator for numerical stability.
    public private(set) var eps: Float
    /// The decoupled weight decay: each step multiplies the parameters by `1 − lr · weightDecay`.
    public private(set) var weightDecay: Float
    /// Whether to use the AMSGrad variant (the running maximum of the second moment).
    public private(set) var amsgrad: Bool
    /// Whether to maximise the objective instead of minimising it.
    public private(set) var maximize: Bool
    /// Whether gradients are accumulated on purpose over several backward calls per step.
    public var accumulating: Bool
    private var state: AdamState

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - parameters: the tensors to update.
    ///   - lr: the learning rate.
    ///   - betas: decay rates of the moment estimates.
    ///   - eps: numerical-stability term.
    ///   - weightDecay: the decoupled weight decay coefficient.
    ///   - amsgrad: use the AMSGrad variant.
    ///   - maximize: maximise the objective instead of minimising it.
    ///   - accumulating: set when gradients are summed over several backward calls on purpose.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(
        _ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
        weightDecay: Float = 1e-2, amsgrad: Bool = false, maximize: Bool = false, accumulating: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.parameters = parameters
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.maximize = maximize
        self.accumulating = accumulating
        state = AdamState(count: parameters.count)
        if let reason = adamInvalidReason(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay) {
            reportInvalidArgument("AdamW", reason, file: file, line: line)
        }
    }

    /// Updates every parameter that has a gradient (each keeps its own step count, as in PyTorch).
    public func step() {
        guard prepareStep(buffers: state.namedBuffers) else { return }
        state.step(
            parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true,
            amsgrad: amsgrad, maximize: maximize)
        Diagnostics.didStep()
    }

    /// The moments, step counts and hyperparameters (see the type's documentation for the keys).
    public func stateDict() -> [String: NDArray] {
        var writer = OptimizerStateWriter(parameterCount: parameters.count)
        writeAdamHyperparameters(
            &writer, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize,
            decoupled: true)
        state.write(to: &writer)
        return writer.entries
    }

    /// Restores moments, step counts and hyperparameters from ``stateDict()``'s output; nothing
    /// changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        var reader = try OptimizerStateReader(stateDict, optimizer: "AdamW", parameters: parameters)
        let h = try readAdamHyperparameters(&reader, decoupled: true)
        let state = try AdamState(reading: reader, count: parameters.count, amsgrad: h.amsgrad)
        (lr, betas, eps, weightDecay, amsgrad, maximize) = (h.lr, h.betas, h.eps, h.weightDecay, h.amsgrad, h.maximize)
        self.state = state
    }
}
