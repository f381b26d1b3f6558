/// Batch normalisation over the channels of `[N, C]` or `[N, C, L]` input (`torch.nn.BatchNorm1d`).
///
/// In training mode (the default) each channel is normalised with its batch mean and biased
/// variance, and the running statistics move toward the batch's
/// (`running = (1 - momentum) * running + momentum * batch`, with the unbiased variance, as
/// PyTorch); in evaluation mode (``Module/eval()``) the running statistics normalise. State-dict
/// keys are PyTorch's: `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`
/// (the last three are buffers: saved, loaded, not trained).
///
/// ```swift
/// let bn = BatchNorm1d(64)
/// let y = bn(x)          // [batch, 64] -> [batch, 64]
/// ```
public final class BatchNorm1d: BatchNormBase {
    /// Creates a batch-norm layer for `numFeatures` channels.
    ///
    /// - Parameters:
    ///   - numFeatures: the number of channels `C` (dim 1 of the input).
    ///   - eps: added to the variance before the square root.
    ///   - momentum: the weight of the batch statistics in the running update.
    ///   - affine: whether to learn a per-channel scale and shift.
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, acceptedRanks: [2, 3], name: "BatchNorm1d")
    }
}

/// Batch normalisation over the channels of NCHW input (`torch.nn.BatchNorm2d`): per channel,
/// over the batch and both spatial dimensions. See ``BatchNorm1d`` for the modes and keys.
///
/// ```swift
/// let bn = BatchNorm2d(16)
/// let y = bn(conv(x))    // [batch, 16, h, w] -> [batch, 16, h, w]
/// model.eval()           // from now on the running statistics normalise
/// ```
public final class BatchNorm2d: BatchNormBase {
    /// Creates a batch-norm layer for `numFeatures` channels.
    ///
    /// - Parameters:
    ///   - numFeatures: the number of channels `C` (dim 1 of the NCHW input).
    ///   - eps: added to the variance before the square root.
    ///   - momentum: the weight of the batch statistics in the running update.
    ///   - affine: whether to learn a per-channel scale and shift.
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, acceptedRanks: [4], name: "BatchNorm2d")
    }
}

/// What ``BatchNorm1d`` and ``BatchNorm2d`` share (PyTorch's `_BatchNorm`): the parameters, the
/// buffers and the forward pass; the two differ only in the input ranks they accept.
public class BatchNormBase: Module {
    /// The number of channels `C`.
    public let numFeatures: Int
    /// Added to the variance before the square root.
    public let eps: Float
    /// The weight of the batch statistics in the running update.
    public let momentum: Float
    /// The per-channel scale `[C]`, initialised to 1 (nil when created with `affine: false`).
    public var weight: Tensor?
    /// The per-channel shift `[C]`, initialised to 0 (nil when created with `affine: false`).
    public var bias: Tensor?
    /// The running mean `[C]` (buffer `running_mean`), initialised to 0.
    public let runningMean: Tensor
    /// The running unbiased variance `[C]` (buffer `running_var`), initialised to 1.
    public let runningVar: Tensor
    /// The number of training batches seen (buffer `num_batches_tracked`, rank 0; int64 on disk).
    public let numBatchesTracked: Tensor
    let acceptedRanks: Set<Int>

    /// PyTorch's `reset_parameters`: weight 1, bias 0, running mean 0, running variance 1, no
    /// batches seen.
    init(_ numFeatures: Int, eps: Float, momentum: Float, affine: Bool, acceptedRanks: Set<Int>, name: String) {
        precondition(numFeatures > 0, "\(name)(\(numFeatures)): the number of features must be positive")
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.acceptedRanks = acceptedRanks
        if affine {
            weight = Tensor(NDArray(ones: [numFeatures]), requiresGrad: true)
            bias = Tensor(NDArray(zeros: [numFeatures]), requiresGrad: true)
        }
        runningMean = Tensor(NDArray(zeros: [numFeatures]))
        runningVar = Tensor(NDArray(ones: [numFeatures]))
        numBatchesTracked = Tensor(NDArray(0))
    }

    /// `weight` then `bias`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        [("weight", weight), ("bias", bias)].compactMap { name, tensor in tensor.map { (name, $0) } }
    }

    /// `running_mean`, `running_var`, `num_batches_tracked`.
    public var namedBuffers: [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    /// No children.
    public var children: [(String, Module)] { [] }

    /// Normalises with the batch statistics (training: and updates the running ones) or with
    /// the running statistics (evaluation).
    public func forward(_ input: Tensor) -> Tensor {
        if input.isPlaceholder { return input }
        let name = "\(type(of: self))"
        let location = ModuleCallSite.current
        guard acceptedRanks.contains(input.rank), input.shape[1] == numFeatures else {
            let ranks = acceptedRanks.sorted().map { "\($0)D" }.joined(separator: " or ")
            return Tensor.failed(.shapeMismatch(
                op: name, shapes: [input.shape.map(Optional.some)],
                reason: "expected \(ranks) input with \(numFeatures) channels in dim 1, got \(formatShape(input.shape))",
                location: location))
        }
        if isTraining {
            if !GradMode.isEnabled { Diagnostics.trainingModeInEvaluation(self) }
            let perChannel = input.shape.reduce(1, *) / numFeatures
            guard perChannel > 1 else {
                return Tensor.failed(.invalidValue(
                    op: name,
                    reason: "expected more than 1 value per channel when training, got input of shape \(formatShape(input.shape))",
                    location: location))
            }
        }
        let output = batchNorm(
            input, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias, training: isTraining,
            momentum: momentum, eps: eps)
        if isTraining && !output.isPlaceholder {
            numBatchesTracked.array = NDArray(numBatchesTracked.array.scalar + 1)
        }
        return output
    }
}
