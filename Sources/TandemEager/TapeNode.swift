/// A gradient hook: receives the gradient flowing into a tensor and may return a replacement.
public typealias GradientHook = (Tensor) -> Tensor?

/// A post-accumulate gradient hook: receives a leaf tensor whose `grad` a backward pass just updated.
public typealias PostAccumulateGradHook = (Tensor) -> Void

/// One entry of the eager tape (PyTorch's `grad_fn` node): the op that produced a tensor, the
/// inputs it saved and the user's line that called it.
///
/// A node saves what PyTorch's `save_for_backward` saves, op by op (`Op.gradientReads(input:needed:)`,
/// `Op.gradientReadsOutput`): relu keeps its output, not its input; add keeps neither; a product
/// keeps a factor only when the other factor wants a gradient. An input
/// whose values the rule does not read is kept as a stand-in of the same shape that shares the
/// input's tape node, so its memory is freed as soon as the program drops the tensor.
///
/// NOTE: the node keeps the output's `NDArray`, not the output `Tensor`, so that
/// tensor -> node -> tensor never forms a retain cycle; the tape is freed by reference counting as
/// soon as the last tensor that can reach it goes away.
final class TapeNode {
    /// The primitive (nil for a custom ``Function``).
    let op: Op?
    /// The inputs, in order (emptied when the graph is freed after backward).
    var inputs: [Tensor]
    /// For each input, whether it wanted a gradient when the op ran: what the tape kept of the
    /// inputs follows from it, so backward asks the rule for exactly these gradients.
    let needed: [Bool]
    /// The output value, saved only for ops whose gradient rule reads it.
    var output: NDArray?
    /// The user's line that called the op.
    let location: SourceLocation?
    /// The backward of a custom autograd function.
    let custom: CustomBackward?
    /// Whether the saved values were dropped by a backward without `retainGraph`.
    var isFreed = false

    // Backward-pass state.
    var pendingGrad: NDArray?
    var passMark = 0
    var hooks: [(id: Int, hook: GradientHook)]?
    /// The output tensor, when it asked to keep its gradient (``Tensor/retainGrad()``).
    weak var retained: Tensor?

    /// Nodes alive right now (diagnostics: a count that grows every step means a leak).
    static var liveCount = 0

    @inline(__always)
    init(op: Op, inputs: [Tensor], output: NDArray, location: SourceLocation?) {
        self.op = op
        let needed = inputs.map(\.requiresGrad)
        self.needed = needed
        self.inputs = TapeNode.saved(inputs) { op.gradientReads(input: $0, needed: needed) }
        self.output = op.gradientReadsOutput ? output : nil
        self.location = location
        self.custom = nil
        TapeNode.liveCount &+= 1
    }

    init(custom: CustomBackward, inputs: [Tensor], location: SourceLocation?) {
        self.op = nil
        // A custom function keeps only what its forward passed to `saveForBackward`.
        self.inputs = TapeNode.saved(inputs) { _ in .unused }
        self.needed = []  // a custom backward returns every input's gradient
        self.output = nil
        self.location = location
        self.custom = custom
        TapeNode.liveCount &+= 1
    }

    /// What the node keeps of each input: the tensor itself when the gradient rule reads its values
    /// or when it is a leaf that receives a gradient (the caller holds a leaf anyway), otherwise a
    /// value-less stand-in with the input's shape and tape node.
    @inline(__always)
    static func saved(_ inputs: [Tensor], reads: (Int) -> ValueUse) -> [Tensor] {
        var kept = inputs
        for i in inputs.indices {
            let input = inputs[i]
            if input.node == nil && input.requiresGrad { continue }
            if reads(i) == .value { continue }
            kept[i] = Tensor(result: Tensor.shapeOnly(input.shape), node: input.node)
        }
        return kept
    }

    deinit {
        TapeNode.liveCount &-= 1
        // Tear a long chain down iteratively: a graph of a million ops built without backward
        // (a loss summed with its history) would otherwise overflow the stack in nested deinits.
        guard !inputs.isEmpty else { return }
        var stack = inputs
        inputs = []
        while var tensor = stack.popLast() {
            if isKnownUniquelyReferenced(&tensor), isKnownUniquelyReferenced(&tensor.node) {
                let node = tensor.node!
                tensor.node = nil
                stack.append(contentsOf: node.inputs)
                node.inputs = []
            }
        }
    }

    /// The op's name as PyTorch prints a `grad_fn`: `MulBackward`, `LogSoftmaxBackward`.
    var backwardName: String {
        if let custom { return custom.name }
        let words = op!.name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return words.joined() + "Backward"
    }

    /// The op's name for error messages.
    var opName: String { custom?.name ?? op!.name }

    /// Drops the saved values (after a backward without `retainGraph`).
    func free() {
        inputs = []
        output = nil
        custom?.context.savedTensors = []
        isFreed = true
    }

    /// The gradient for each input, given the gradient of the output, from the primitive's rule
    /// (or the custom function's backward). Runs with grad mode off; nil entries take none.
    func inputGradients(_ g: NDArray) throws(TandemError) -> [NDArray?] {
        if let custom {
            let grads = custom.backward(custom.context, Tensor(result: g, node: nil))
            guard grads.count == inputs.count else {
                throw .autograd(
                    reason: "function \(custom.name) returned \(grads.count) gradients, expected \(inputs.count)",
                    location: location)
            }
            for (i, (grad, input)) in zip(grads, inputs).enumerated() {
                if let grad, grad.shape != input.shape {
                    throw .autograd(
                        reason: "function \(custom.name) returned an invalid gradient at index \(i): "
                            + "got \(formatShape(grad.shape)) but expected shape \(formatShape(input.shape))",
                        location: location)
                }
            }
            return grads.map { $0?.array }
        }
        // Rules that do not read y get an empty stand-in (the value was not kept).
        let y = Tensor(result: output ?? Tensor.emptyArray, node: nil)
        let grads = op!.gradient(inputs: inputs, output: y, grad: Tensor(result: g, node: nil), at: location, needed: needed)
        return grads.map { $0?.array }
    }
}

/// The backward half of a custom autograd function, kept on its tape node.
final class CustomBackward {
    let name: String
    let context: FunctionContext
    let backward: (FunctionContext, Tensor) -> [Tensor?]

    init(name: String, context: FunctionContext, backward: @escaping (FunctionContext, Tensor) -> [Tensor?]) {
        self.name = name
        self.context = context
        self.backward = backward
    }
}
