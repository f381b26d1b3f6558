/// RMSprop (`torch.optim.RMSprop`), with its exact update and defaults (lr 1e-2, alpha 0.99,
/// eps 1e-8, no weight decay, no momentum, not centered):
///
///     g = (maximize ? −grad : grad) + weightDecay · param
///     s = α · s + (1 − α) · g²
///     ḡ = lerp(ḡ, g, 1 − α)                               (centered)
///     avg = √(s − ḡ²) + eps  (centered),  √s + eps  (otherwise)
///     buf = momentum · buf + g / avg,  param −= lr · buf  (momentum > 0)
///     param −= lr · g / avg                               (otherwise)
///
/// ```swift
/// let optimizer = RMSprop(model.parameters, lr: 1e-3, momentum: 0.9, centered: true)
/// ```
///
/// State dict: `state.<i>.` `step`, `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg`
/// (centered); `param_groups.0.` `lr`, `alpha`, `eps`, `weight_decay`, `momentum`, `centered`,
/// `maximize`.
public final class RMSprop: Optimizer {
    /// The parameters updated by ``step()``.
    public let parameters: [Tensor]
    /// The learning rate.
    public var lr: Float
    /// The smoothing constant of the squared-gradient average.
    public private(set) var alpha: Float
    /// Added to the denominator for numerical stability.
    public private(set) var eps: Float
    /// L2 penalty added to the gradient.
    public private(set) var weightDecay: Float
    /// The momentum factor (0: none).
    public private(set) var momentum: Float
    /// Whether to normalise by the estimated variance (the squared average minus the squared mean
    /// gradient) instead of the uncentered second moment.
    public private(set) var centered: Bool
    /// Whether to maximise the objective instead of minimising it.
    public private(set) var maximize: Bool
    /// Whether gradients are accumulated on purpose over several backward calls per step.
    public var accumulating: Bool
    private var squareAverages: [NDArray?]
    private var momentumBuffers: [NDArray?]
    private var gradAverages: [NDArray?]
    private var steps: [Int]

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - parameters: the tensors to update.
    ///   - lr: the learning rate.
    ///   - alpha: the smoothing constant.
    ///   - eps: numerical-stability term.
    ///   - momentum: the momentum factor.
    ///   - centered: normalise by the estimated variance of the gradient.
    ///   - weightDecay: L2 penalty.
    ///   - maximize: maximise the objective instead of minimising it.
    ///   - accumulating: set when gradients are summed over several backward calls on purpose.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(
        _ parameters: [Tensor], lr: Float = 1e-2, alpha: Float = 0.99, eps: Float = 1e-8, momentum: Float = 0,
        centered: Bool = false, weightDecay: Float = 0, maximize: Bool = false, accumulating: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.parameters = parameters
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        self.maximize = maximize
        self.accumulating = accumulating
        squareAverages = Array(repeating: nil, count: parameters.count)
        momentumBuffers = squareAverages
        gradAverages = squareAverages
        steps = Array(repeating: 0, count: parameters.count)
        if let reason = RMSprop.invalidReason(lr: lr, alpha: alpha, eps: eps, momentum: momentum, weightDecay: weightDecay) {
            reportInvalidArgument("RMSprop", reason, file: file, line: line)
        }
    }

    private static func invalidReason(lr: Float, alpha: Float, eps: Float, momentum: Float, weightDecay: Float) -> String? {
        if !(lr >= 0) || !lr.isFinite { return "invalid learning rate \(lr)" }
        if !(eps >= 0) || !eps.isFinite { return "invalid epsilon value \(eps)" }
        if !(momentum >= 0) || !momentum.isFinite { return "invalid momentum value \(momentum)" }
        if !(weightDecay >= 0) || !weightDecay.isFinite { return "invalid weight_decay value \(weightDecay)" }
        if !(alpha >= 0) || !alpha.isFinite { return "invalid alpha value \(alpha)" }
        return nil
    }

    /// Updates every parameter that has a gradient (each keeps its own step count, as in PyTorch).
    public func step() {
        let buffers = [("square_avg", squareAverages), ("momentum_buffer", momentumBuffers), ("grad_avg", gradAverages)]
        guard prepareStep(buffers: buffers) else { return }
        for (i, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            if squareAverages[i] == nil { squareAverages[i] = NDArray(zeros: parameter.shape) }
            if momentum > 0 && momentumBuffers[i] == nil { momentumBuffers[i] = NDArray(zeros: parameter.shape) }
            if centered && gradAverages[i] == nil { gradAverages[i] = NDArray(zeros: parameter.shape) }
            steps[i] += 1
            OptimizerKernels.rmsprop(
                param: &parameter.array, grad: grad.array, squareAverage: &squareAverages[i]!,
                momentumBuffer: &momentumBuffers[i], gradAverage: &gradAverages[i], lr: lr, alpha: alpha, eps: eps,
                weightDecay: weightDecay, momentum: momentum, maximize: maximize)
        }
        Diagnostics.didStep()
    }

    /// The averages, buffers, step counts and hyperparameters (see the type's documentation).
    public func stateDict() -> [String: NDArray] {
        var writer = OptimizerStateWriter(parameterCount: parameters.count)
        writer.hyperparameter("lr", lr)
        writer.hyperparameter("alpha", alpha)
        writer.hyperparameter("eps", eps)
        writer.hyperparameter("weight_decay", weightDecay)
        writer.hyperparameter("momentum", momentum)
        writer.hyperparameter("centered", centered)
        writer.hyperparameter("maximize", maximize)
        for i in steps.indices {
            writer.step(i, steps[i])
            writer.buffer(i, "square_avg", squareAverages[i])
            writer.buffer(i, "momentum_buffer", momentumBuffers[i])
            writer.buffer(i, "grad_avg", gradAverages[i])
        }
        return writer.entries
    }

    /// Restores averages, buffers, step counts and hyperparameters from ``stateDict()``'s output;
    /// nothing changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        var reader = try OptimizerStateReader(stateDict, optimizer: "RMSprop", parameters: parameters)
        let lr = try reader.scalar("lr")
        let alpha = try reader.scalar("alpha")
        let eps = try reader.scalar("eps")
        let weightDecay = try reader.scalar("weight_decay")
        let momentum = try reader.scalar("momentum")
        let centered = try reader.flag("centered")
        let maximize = try reader.flag("maximize")
        if let reason = RMSprop.invalidReason(lr: lr, alpha: alpha, eps: eps, momentum: momentum, weightDecay: weightDecay) {
            throw reader.fail(reason)
        }
        var names = ["square_avg"]
        if momentum > 0 { names.append("momentum_buffer") }
        if centered { names.append("grad_avg") }
        let states = try reader.parameterStates(buffers: names, countsSteps: true)
        (self.lr, self.alpha, self.eps, self.weightDecay) = (lr, alpha, eps, weightDecay)
        (self.momentum, self.centered, self.maximize) = (momentum, centered, maximize)
        steps = states.map { $0?.step ?? 0 }
        squareAverages = states.map { $0?.buffers[0] }
        momentumBuffers = states.map { state in state.flatMap { momentum > 0 ? $0.buffers[1] : nil } }
        gradAverages = states.map { state in state.flatMap { centered ? $0.buffers[names.count - 1] : nil } }
    }
}
