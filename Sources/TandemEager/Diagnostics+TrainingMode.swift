/// "Evaluating without eval()": a model evaluated under `noGrad { }` while still in training
/// mode, so batch norm normalises with (and updates) batch statistics and dropout drops. PyTorch
/// says nothing; accuracy is quietly lower and the running statistics drift on evaluation data.
extension Diagnostics {
    /// Warns, once per module, that a batch-norm or dropout module in training mode ran with
    /// gradient recording off, naming the module and the user's line that called the model.
    ///
    /// Called by the modules whose behaviour depends on the mode; correct code (``Module/eval()``
    /// before evaluating) and training calls (recording on) never reach it.
    static func trainingModeInEvaluation(_ module: Module) {
        warnOnce("training-mode-in-noGrad-\(ObjectIdentifier(module).hashValue)", {
            let site = ModuleCallSite.current.map { " at \($0)" } ?? ""
            let effect = module is Dropout
                ? "dropout is zeroing activations"
                : "batch norm normalises with batch statistics and updates its running statistics"
            return "\(module.nameInCall) was called in training mode inside noGrad { }\(site): \(effect) during what "
                + "looks like evaluation. Call model.eval() before evaluating (and model.train() before training again)."
        }())
    }
}
