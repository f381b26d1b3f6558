/// What every optimizer offers (`torch.optim.Optimizer`): a learning rate a scheduler can change,
/// `zeroGrad()`, `step()`, and its state as a flat state dict (see `Optimizer+StateDict.swift`
/// for the keys) so that training resumes with identical numbers.
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
    /// The optimizer's state (`optimizer.state_dict()`), flattened: per-parameter buffers and step
    /// counts under `state.<i>.<name>`, hyperparameters under `param_groups.0.<name>`.
    func stateDict() -> [String: NDArray]
    /// Restores a state written by ``stateDict()`` (`optimizer.load_state_dict(sd)`): the buffers,
    /// step counts and hyperparameters, learning rate included. Nothing changes unless the whole
    /// dict fits these parameters (keys, counts, shapes and values are checked first).
    func loadStateDict(_ stateDict: [String: NDArray]) throws
}

extension Optimizer {
    /// Sets every parameter's gradient to nil (`optimizer.zero_grad()`, set_to_none=True).
    public func zeroGrad() {
        for parameter in parameters { parameter.grad = nil }
    }

    /// Checks the gradients and the optimizer's buffers before a step and warns about common
    /// training-loop mistakes (cheap: a few shape compares, one integer and one optional per
    /// parameter).
    ///
    /// Returns false, with the error reported through `ErrorScope`, when a parameter's gradient or
    /// one of its buffers from earlier steps no longer has the parameter's shape (its `array` was
    /// replaced by one of a new shape): the step then updates nothing, rather than some
    /// parameters, and never reads or writes past a buffer.
    ///
    /// - Parameter buffers: each per-parameter buffer by its state-dict name, indexed like
    ///   `parameters` (nil before the parameter's first step).
    func prepareStep(buffers: [(name: String, arrays: [NDArray?])] = []) -> Bool {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            if grad.shape != parameter.shape {
                ErrorScope.report(.shapeMismatch(
                    op: "\(type(of: self)).step", shapes: [parameter.shape, grad.shape].map { $0.map(Optional.some) },
                    reason: "parameter \(index) has shape \(formatShape(parameter.shape)) but its gradient has shape "
                        + "\(formatShape(grad.shape))",
                    location: nil))
                return false
            }
            for (name, arrays) in buffers {
                guard let buffer = arrays[index], buffer.shape != parameter.shape else { continue }
                // PyTorch raises a size mismatch here; reading the old buffer would run past its end.
                ErrorScope.report(.shapeMismatch(
                    op: "\(type(of: self)).step", shapes: [parameter.shape, buffer.shape].map { $0.map(Optional.some) },
                    reason: "parameter \(index) has shape \(formatShape(parameter.shape)) but its \(name) from earlier "
                        + "steps has shape \(formatShape(buffer.shape)): the parameter's array was replaced by one of "
                        + "another shape. Create a new optimizer for the new parameter, or load a matching state dict",
                    location: nil))
                return false
            }
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
