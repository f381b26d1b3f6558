/// What every optimizer offers (`torch.optim.Optimizer`): a learning rate a scheduler can change,
/// `zeroGrad()` and `step()`.
public protocol Optimizer: AnyObject {
    /// The parameters updated by ``step()``.
    var parameters: [Tensor] { get }
    /// The learning rate (a scheduler such as ``StepLR`` changes it between epochs).
    var lr: Float { get set }
    /// Whether gradients are deliberately summed over several `backward()` calls before each
    /// step (gradient accumulation), which silences the warning about a missing `zeroGrad()`.
    var accumulating: Bool { get set }
    /// Updates every parameter that has a gradient; parameters whose `grad` is nil are skipped.
    func step()
}

extension Optimizer {
    /// Sets every parameter's gradient to nil (`optimizer.zero_grad()`, set_to_none=True).
    public func zeroGrad() {
        for parameter in parameters { parameter.grad = nil }
    }

    /// Checks the gradients before a step and warns about common training-loop mistakes (cheap:
    /// one shape compare, one integer and one optional per parameter).
    ///
    /// Returns false, with the error reported through `ErrorScope`, when a parameter's gradient
    /// no longer has the parameter's shape (its `array` was replaced by one of a new shape after
    /// backward): the step then updates nothing, rather than some parameters.
    func prepareStep() -> Bool {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad, grad.shape != parameter.shape else { continue }
            ErrorScope.report(.shapeMismatch(
                op: "\(type(of: self)).step", shapes: [parameter.shape, grad.shape].map { $0.map(Optional.some) },
                reason: "parameter \(index) has shape \(formatShape(parameter.shape)) but its gradient has shape "
                    + "\(formatShape(grad.shape))",
                location: nil))
            return false
        }
        diagnoseBeforeStep()
        return true
    }

    /// Warns about training-loop mistakes that compute without failing.
    private func diagnoseBeforeStep() {
        // PyTorch silently skips a parameter whose grad is None; when other parameters did get a
        // gradient, that parameter is almost always one the loss forgot to use.
        if let unused = parameters.firstIndex(where: { $0.grad == nil }), parameters.contains(where: { $0.grad != nil }) {
            let parameter = parameters[unused]
            Diagnostics.warnOnce(
                "unused-parameter",
                "optimizer step(): parameter \(unused) (shape \(formatShape(parameter.shape))) received no gradient "
                    + "from backward() while others did, so it is not updated: the loss does not depend on it. "
                    + "Check that the layer is used in forward, or leave it out of the optimizer.")
        }
        if !accumulating, let parameter = parameters.first(where: { $0.gradPasses > 1 }) {
            Diagnostics.warnOnce(
                "accumulated-grad",
                "optimizer step() uses gradients summed over \(parameter.gradPasses) backward() calls "
                    + "(a parameter of shape \(formatShape(parameter.shape))): zeroGrad() was not called between steps. "
                    + "If you accumulate gradients on purpose, create the optimizer with accumulating: true.")
        }
    }
}
