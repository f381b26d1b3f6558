/// A multi-dimensional array of `Float`s that records how it was computed, so gradients can flow
/// back through it (`torch.Tensor`).
///
/// Every op computes its result at once. When an input requires a gradient (and grad mode is on),
/// the op is also recorded on the tape: the result keeps a ``gradFn`` node, and ``backward(_:retainGraph:file:line:)``
/// walks those nodes in reverse to fill in ``grad`` of every leaf that requires one.
///
/// ```swift
/// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
/// let y = (x * x).sum()
/// y.backward()
/// x.grad!.scalars   // [2, 4, 6, 8, 10, 12]
/// ```
///
/// NOTE: the eager frontend is single-threaded by design, like a Python training loop: grad mode,
/// anomaly mode and the tape counters are plain static variables (no locks, no thread-local
/// lookups), which keeps the per-op framework overhead under a microsecond.
public final class Tensor {
    /// The values (an `NDArray`, shared copy-on-write). Setting it replaces the values in place,
    /// as `tensor.data = ...` does in PyTorch; the tape keeps the values it saved.
    public var array: NDArray

    /// Whether gradients are computed for this tensor. Only a leaf's flag can be set; results of
    /// recorded ops require a gradient because one of their inputs does.
    public var requiresGrad: Bool {
        didSet {
            if node != nil && requiresGrad != oldValue {
                requiresGrad = oldValue
                ErrorScope.report(.autograd(
                    reason: "you can only change requiresGrad flags of leaf variables", location: nil))
            }
        }
    }

    /// The accumulated gradient of the last `backward()` calls (nil until one reaches this tensor).
    ///
    /// Gradients add up across `backward()` calls until `zeroGrad()` (or an optimizer's
    /// `zeroGrad()`) sets this back to nil. Non-leaf tensors keep no gradient unless asked with
    /// ``retainGrad()``.
    ///
    /// Assigning a gradient whose shape differs from the tensor's is an error (PyTorch's "assigned
    /// grad has data of a different size"), reported through `ErrorScope`; the old value is kept.
    public var grad: Tensor? {
        didSet {
            guard let grad else {
                gradPasses = 0
                return
            }
            if grad.shape != shape {
                self.grad = oldValue
                ErrorScope.report(.shapeMismatch(
                    op: "grad", shapes: [shape, grad.shape].map { $0.map(Optional.some) },
                    reason: "assigned grad of shape \(formatShape(grad.shape)) to a tensor of shape \(formatShape(shape))",
                    location: nil))
            }
        }
    }

    /// The tape node that produced this tensor (nil for leaves).
    var node: TapeNode?

    /// Whether this is the stand-in value an op returns after an error inside a `checked` scope.
    let isPlaceholder: Bool

    // Per-backward state of a leaf: the gradient summed over this pass, which pass it is for, and
    // how many recorded ops of the pass still owe it a gradient (`edgePass` marks the pass counted).
    var pendingGrad: NDArray?
    var passMark = 0
    var pendingEdges = 0
    var edgePass = 0
    /// How many backward passes have added into `grad` since it was last nil (diagnostics).
    var gradPasses = 0
    /// Gradient hooks of a leaf (those of a non-leaf live on its node).
    var hooks: [(id: Int, hook: GradientHook)]?
    /// Hooks of a leaf called after its gradient was added into `grad` (distributed training).
    var postAccumulateHooks: [(id: Int, hook: PostAccumulateGradHook)]?

    // MARK: Creating tensors

    /// Creates a tensor from row-major values (`torch.tensor(...)`).
    ///
    /// - Parameters:
    ///   - shape: the size of each dimension; `[]` for a scalar.
    ///   - scalars: `shape.reduce(1, *)` values in row-major order.
    ///   - requiresGrad: whether `backward()` should compute a gradient for it.
    ///   - file: the source file named by an error about the shape (defaults to the caller's).
    ///   - line: the source line named by an error about the shape (defaults to the caller's).
    public convenience init(
        shape: [Int], scalars: [Float], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(NDArray(shape: shape, scalars: scalars, file: file, line: line), requiresGrad: requiresGrad)
    }

    /// Wraps an `NDArray` (no copy: the storage is shared copy-on-write).
    public init(_ array: NDArray, requiresGrad: Bool = false) {
        self.array = array
        self.requiresGrad = requiresGrad
        self.isPlaceholder = false
    }

    /// Creates a rank-0 tensor holding one value.
    public convenience init(_ scalar: Float, requiresGrad: Bool = false) {
        self.init(NDArray(scalar), requiresGrad: requiresGrad)
    }

    /// Creates a tensor of zeros (`torch.zeros`); a negative or huge size is a `TandemError`
    /// naming the caller's line (thrown inside `checked`).
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        self.init(NDArray(zeros: shape, file: file, line: line), requiresGrad: requiresGrad)
    }

    /// Creates a tensor of ones (`torch.ones`); a negative or huge size is a `TandemError`
    /// naming the caller's line (thrown inside `checked`).
    public convenience init(ones shape: [Int], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        self.init(NDArray(ones: shape, file: file, line: line), requiresGrad: requiresGrad)
    }

    /// Creates a rank-1 tensor of integer class labels, for `crossEntropy(_:_:)`.
    public convenience init(labels: [Int]) {
        self.init(NDArray(shape: [labels.count], scalars: labels.map(Float.init)))
    }

    /// The result of a recorded (or unrecorded) op.
    @inline(__always)
    init(result: NDArray, node: TapeNode?) {
        self.array = result
        self.requiresGrad = node != nil
        self.node = node
        self.isPlaceholder = false
    }

    private init(placeholder: NDArray) {
        self.array = placeholder
        self.requiresGrad = false
        self.isPlaceholder = true
    }

    /// The stand-in for the result of an op that failed inside a `checked` scope: an empty array,
    /// shared, so that later ops skip their work cheaply.
    static func placeholder() -> Tensor { Tensor(placeholder: emptyArray) }
    static let emptyArray = NDArray(zeros: [0])

    /// A value-less array of `shape` (one shared zero, repeated by stride 0): what the tape keeps of
    /// an input whose values backward never reads.
    static func shapeOnly(_ shape: [Int]) -> NDArray { scalarZero.broadcast(to: shape) }
    private static let scalarZero = NDArray(zeros: [])

    // MARK: Reading

    /// The size of each dimension.
    public var shape: [Int] { array.shape }

    /// The number of dimensions.
    public var rank: Int { array.rank }

    /// The number of elements.
    public var count: Int { array.count }

    /// The values in row-major order.
    ///
    /// While a trace records (see ``OpRecorder``), reading them is reported: the values freeze into the graph.
    public var scalars: [Float] {
        if let recorder = OpRecording.recorder { recorder.recordValueRead(of: self, through: "scalars", at: nil) }
        return array.scalars
    }

    /// The value of a one-element tensor (`tensor.item()`); NaN for the placeholder of a failed op.
    ///
    /// A tensor of any other size is an error (reported through `ErrorScope`, as PyTorch raises),
    /// and gives NaN inside a `checked` scope.
    ///
    /// - Parameters:
    ///   - file: the caller's file, quoted in errors (default `#fileID`).
    ///   - line: the caller's line, quoted in errors (default `#line`).
    public func item(file: StaticString = #fileID, line: UInt = #line) -> Float {
        if isPlaceholder { return .nan }
        if let recorder = OpRecording.recorder { recorder.recordValueRead(of: self, through: "item()", at: SourceLocation(file, line)) }
        guard count == 1 else {
            ErrorScope.report(.invalidValue(
                op: "item",
                reason: "a tensor with \(count) elements (shape \(formatShape(shape))) cannot be converted to a scalar",
                location: SourceLocation(file, line)))
            return .nan
        }
        return array.scalar
    }

    /// Whether this tensor was created by the user rather than recorded by an op: leaves hold
    /// `.grad` after backward, intermediates do not (unless ``retainGrad()`` was called).
    public var isLeaf: Bool { node == nil }

    /// The name of the backward function of the op that produced this tensor (PyTorch's
    /// `grad_fn`), for example `MulBackward`; nil for leaves.
    public var gradFn: String? { node?.backwardName }
}

extension Tensor: CustomStringConvertible {
    /// Prints like PyTorch: `tensor([[1., 2.], [3., 4.]], shape [2, 2], grad_fn=<MulBackward>)`.
    public var description: String {
        if isPlaceholder { return "tensor(<not computed: an earlier op failed inside checked { }>)" }
        let body = array.description.split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: "\n" + String(repeating: " ", count: 7))
        var suffix = ""
        if let name = gradFn {
            suffix = ", grad_fn=<\(name)>"
        } else if requiresGrad {
            suffix = ", requires_grad=True"
        }
        return "tensor(\(body)\(suffix))"
    }
}
