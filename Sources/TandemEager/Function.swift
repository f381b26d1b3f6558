/// A custom autograd function with a hand-written backward (`torch.autograd.Function`).
///
/// `forward` runs with recording off on the inputs' values; `backward` receives the gradient of
/// the output and returns one gradient per input (nil for inputs that take none). Use the
/// context to save what backward needs.
///
/// ```swift
/// enum Exp: Function {
///     static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
///         let result = inputs[0].exp()
///         context.saveForBackward(result)
///         return result
///     }
///     static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
///         [gradOutput * context.savedTensors[0]]
///     }
/// }
/// let y = Exp.apply(x)
/// ```
public protocol Function {
    /// Computes the output from the inputs (recording is off inside).
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor
    /// Returns the gradient for each input given the gradient of the output.
    static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?]
}

/// What a custom ``Function`` keeps between its forward and backward (PyTorch's `ctx`).
public final class FunctionContext {
    /// The tensors saved by ``saveForBackward(_:)``, in order (freed after backward unless
    /// `retainGraph` is set).
    public internal(set) var savedTensors: [Tensor] = []
    /// Which inputs require a gradient (PyTorch's `ctx.needs_input_grad`).
    public internal(set) var needsInputGrad: [Bool] = []
    /// Free-form values a function wants to keep (sizes, flags).
    public var values: [String: Any] = [:]

    init() {}

    /// Saves tensors for the backward pass (their values, cut off from the tape).
    public func saveForBackward(_ tensors: Tensor...) {
        savedTensors.append(contentsOf: tensors.map { $0.detach() })
    }
}

extension Function {
    /// Runs the function on inputs and, when one requires a gradient, records it on the tape so
    /// that `backward()` calls the function's `backward`.
    public static func apply(_ inputs: Tensor..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        apply(inputs, file: file, line: line)
    }

    /// Runs the function on an array of inputs (the variadic `apply` with the inputs as an array).
    public static func apply(_ inputs: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if inputs.contains(where: \.isPlaceholder) { return .placeholder() }
        let context = FunctionContext()
        context.needsInputGrad = inputs.map(\.requiresGrad)
        let output = noGrad { forward(context, inputs.map { $0.detach() }) }
        if output.isPlaceholder { return output }
        let location = SourceLocation(file, line)
        if AnomalyMode.isEnabled && !OptimizerKernels.isFinite(output.array) {
            return Tensor.failed(.nonFinite(
                op: "\(Self.self)", phase: "forward", shapes: inputs.map { $0.shape.map(Optional.some) }, location: location))
        }
        let result: Tensor
        if GradMode.isEnabled && inputs.contains(where: \.requiresGrad) {
            let custom = CustomBackward(name: "\(Self.self)Backward", context: context, backward: backward)
            result = Tensor(result: output.array, node: TapeNode(custom: custom, inputs: inputs, location: location))
        } else {
            result = Tensor(result: output.array, node: nil)
        }
        OpRecording.recorder?.recordCustomFunction(named: "\(Self.self)", result: result, forwardOutput: output, at: location)
        return result
    }
}
