extension Tensor: TensorExpression {
    /// Evaluates a primitive now, through the core's one forward path, and records it on the tape
    /// when grad mode is on and an input requires a gradient.
    ///
    /// Every op of the user-facing surface (`+`, `matmul`, `relu()`, `conv2d`, ...) ends here.
    /// On a bad shape or value the error (naming the op, the shapes and `location`) goes to
    /// `ErrorScope.report`: fatal outside a `checked { }` scope; inside one it is recorded and a
    /// cheap placeholder is returned, and every later op on a placeholder skips its work.
    ///
    /// NOTE: this is the eager frontend's hot path (its cost is the framework overhead of a
    /// 1-element multiply). It does no dictionary lookups, builds no strings and touches the
    /// thread-local error scopes only after an error; it allocates the result and, when recording,
    /// one tape node.
    public static func apply(_ op: Op, _ inputs: [Tensor], at location: SourceLocation?) -> Tensor {
        var needsGrad = false
        var skip = ErrorState.pending && ErrorState.stillFailing()
        for input in inputs {
            needsGrad = needsGrad || input.requiresGrad
            skip = skip || input.isPlaceholder
        }
        if skip { return .placeholder() }

        let arrays: [NDArray]
        switch inputs.count {
        case 1: arrays = [inputs[0].array]
        case 2: arrays = [inputs[0].array, inputs[1].array]
        default: arrays = inputs.map(\.array)
        }
        let value: NDArray
        do {
            value = try op.evaluate(arrays, at: location)
        } catch {
            return failed(error)
        }
        if AnomalyMode.isEnabled && !Autograd.isRunning && !OptimizerKernels.isFinite(value) {
            return failed(.nonFinite(op: op.name, phase: "forward", shapes: arrays.map { $0.shape.map(Optional.some) }, location: location))
        }
        let result: Tensor
        if needsGrad && GradMode.isEnabled && op.isDifferentiable {
            result = Tensor(result: value, node: TapeNode(op: op, inputs: inputs, output: value, location: location))
        } else {
            result = Tensor(result: value, node: nil)
        }
        if let recorder = OpRecording.recorder { recorder.recordOp(op, inputs: inputs, output: result, at: location) }
        return result
    }

    /// Writes `value` into `target` in place (PyTorch's `target.copy_(value)` under `no_grad`):
    /// how the eager frontend performs a running-statistics update of `batchNorm`.
    ///
    /// The target keeps its storage when it owns it alone; when another value shares it (a tape
    /// that saved it, a copy the caller holds), copy-on-write gives the target fresh storage, so
    /// whoever saved the old values still sees them. Nothing is recorded on the tape.
    ///
    /// - Parameters:
    ///   - value: the new values, shaped like `target`.
    ///   - target: the tensor to update.
    ///   - location: the user's source line, quoted in errors.
    public static func assign(_ value: Tensor, to target: Tensor, at location: SourceLocation?) {
        if value.isPlaceholder || target.isPlaceholder || (ErrorState.pending && ErrorState.stillFailing()) { return }
        guard value.shape == target.shape else {
            _ = failed(.shapeMismatch(
                op: "assign", shapes: [target.shape, value.shape].map { $0.map(Optional.some) },
                reason: "cannot assign a value of shape \(formatShape(value.shape)) to a tensor of shape \(formatShape(target.shape))",
                location: location))
            return
        }
        OpRecording.recorder?.recordAssign(value, to: target, at: location)
        value.array.withUnsafeBufferPointer { source in
            target.array.withUnsafeMutableBufferPointer { destination in
                if let base = source.baseAddress, source.count > 0 { destination.baseAddress!.update(from: base, count: source.count) }
            }
        }
    }

    /// Reports an error and returns the placeholder that later ops pass along (for an op left
    /// without inputs, such as `cat([])`).
    ///
    /// - Parameter error: the error, naming the op and the user's line.
    public static func failure(_ error: TandemError) -> Tensor { failed(error) }

    /// Reports an error and returns the placeholder that later ops pass along.
    static func failed(_ error: TandemError) -> Tensor {
        ErrorState.pending = true
        ErrorScope.report(error)
        return .placeholder()
    }
}

/// Whether an error was reported inside a `checked` scope that may still be open: a plain flag
/// on the hot path, confirmed against the (thread-local) scope stack only when set.
enum ErrorState {
    static var pending = false

    /// Whether the innermost `checked` scope still holds an error (clears the flag once it does not).
    static func stillFailing() -> Bool {
        if ErrorScope.hasError { return true }
        pending = false
        return false
    }
}
