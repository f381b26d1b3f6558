/// The primitive table: every operation Tandem can compute, defined once.
///
/// Each case has, each in one exhaustive `switch` (so the compiler lists every place a new case
/// must be handled):
/// - its name and attributes (`Op+Kind.swift`, `Op+Serialization.swift`: how files store it),
/// - its facts (`Op+Facts.swift`: arity, views, elementwise, shape-only inputs, what backward reads),
/// - its shape rule (`Op+ShapeRules.swift`),
/// - its forward kernel (`Op+Forward.swift`, dispatching to `Kernels/`),
/// - its gradient rule (`Op+Gradients.swift`), written against `TensorExpression`,
/// so the eager `Tensor` and the graph `Node` share all of them.
///
/// Inputs are listed in the comment of each case. "like" inputs are used only for their shape at
/// run time, which lets gradient rules work on graphs whose batch dimension is unknown.
public enum Op: Hashable, Sendable, CustomStringConvertible {
    // Elementwise with NumPy broadcasting.
    /// (a, b): a + b.
    case add
    /// (a, b): a - b.
    case sub
    /// (a, b): a * b.
    case mul
    /// (a, b): a / b.
    case div
    /// (a, b): 1 where a < b, else 0 (no gradient).
    case less
    /// (a, b): 1 where a > b, else 0 (no gradient).
    case greater
    /// (a, b): 1 where a == b, else 0 (no gradient).
    case equal

    // Elementwise unary.
    /// (x): -x.
    case neg
    /// (x): max(0, x).
    case relu
    /// (x): 1 / (1 + exp(-x)).
    case sigmoid
    /// (x): the hyperbolic tangent.
    case tanh
    /// (x): e^x.
    case exp
    /// (x): the natural logarithm.
    case log
    /// (x): the square root.
    case sqrt
    /// (x): |x|.
    case abs
    /// (x): 1 for x > 0, -1 for x < 0, 0 at 0 (no gradient).
    case sign
    /// (x): x for x > 0, else x * negativeSlope.
    case leakyRelu(negativeSlope: Float)
    /// (x): x * Φ(x), Φ the standard normal CDF (the exact erf form of GELU).
    case gelu
    /// (x): x limited to [min, max] (a nil bound does not limit).
    case clamp(min: Float?, max: Float?)
    /// (x): x + s.
    case addScalar(Float)
    /// (x): x * s.
    case mulScalar(Float)
    /// (x): x ^ p.
    case pow(Float)
    /// (g, y) -> g where y > 0, else 0: the adjoint of relu, from its output (or input: same sign).
    case reluBackward
    /// (g, x) -> g where min < x < max, else 0: the adjoint of clamp (PyTorch's choice at the bounds).
    case clampBackward(min: Float?, max: Float?)
    /// (g, x) -> g where x > 0, else g * negativeSlope: the adjoint of leakyRelu.
    case leakyReluBackward(negativeSlope: Float)
    /// (g, x) -> g * (Φ(x) + x φ(x)): the adjoint of gelu.
    case geluBackward

    // Reductions over all elements (dim nil) or one dimension.
    /// (x): the sum over all elements, or along `dim` (kept with size 1 when `keepDim`).
    case sum(dim: Int?, keepDim: Bool)
    /// (x): the mean over all elements, or along `dim` (kept with size 1 when `keepDim`).
    case mean(dim: Int?, keepDim: Bool)
    /// (x): the maximum over all elements, or along `dim` (kept with size 1 when `keepDim`).
    case max(dim: Int?, keepDim: Bool)
    /// (x): the index of the largest element along `dim`, as a float.
    case argmax(dim: Int)
    /// (g, like): broadcasts g back over the dims a sum (or mean, scaled by 1/n) removed.
    case expandLike(dim: Int?, keepDim: Bool, mean: Bool)
    /// (g, x): routes g to the first position of the maximum, zeros elsewhere.
    case maxBackward(dim: Int?, keepDim: Bool)

    // Shape: views where the layout allows.
    /// (x): a new shape with the same elements; one dimension may be -1.
    case reshape([Int])
    /// (x): merges dims from `startDim` to the end into one.
    case flatten(startDim: Int)
    /// (x, like): x reshaped to like's shape.
    case reshapeLike
    /// (x): swaps two dimensions (negative dims count from the end).
    case transpose(Int, Int)
    /// (x, like): x broadcast to like's shape.
    case broadcastLike
    /// (x, like): x summed down to like's shape: the adjoint of broadcasting.
    case reduceLike
    /// (x): `length` elements of `dim` from `start` (negative: from the end), a view.
    case narrow(dim: Int, start: Int, length: Int)
    /// (g, like): zeros shaped like `like` with g placed where `narrow` took it from.
    case narrowBackward(dim: Int, start: Int, length: Int)
    /// (x): the dimensions reordered, output dim i being input dim `dims[i]`, a view.
    case permute([Int])
    /// (x): removes `dim` if its size is 1 (otherwise x as is, as PyTorch), a view.
    case squeeze(dim: Int)
    /// (x): inserts a dimension of size 1 at `dim` (of the output's rank), a view.
    case unsqueeze(dim: Int)

    // Gathering and joining.
    /// (x, index): the entries of x at `index` (rank 1, whole numbers) along `dim`.
    case indexSelect(dim: Int)
    /// (g, index, like): zeros shaped like `like` with g's slices added at `index` along `dim`.
    case indexSelectBackward(dim: Int)
    /// (x0, ..., x[count-1]): the inputs joined along `dim` (equal sizes elsewhere).
    case cat(dim: Int, count: Int)
    /// (g, x0, ..., x[count-1]): the part of g that `cat` took from input `index` (a view).
    case catBackward(dim: Int, index: Int, count: Int)
    /// (x0, ..., x[count-1]): the inputs (all one shape) stacked along a new `dim`.
    case stack(dim: Int, count: Int)
    /// (indices, weight [V, D]): weight's rows at `indices` (any shape), shaped indices + [D].
    case embedding
    /// (g, indices, like): zeros shaped like the weight with g's rows added at `indices`.
    case embeddingBackward

    // Linear algebra.
    /// (a, b): [..., m, k] x [..., k, n]; batch dims must match or one side is a matrix.
    case matmul
    /// (x, w, b): act(x w^T + b) when `transposedWeight` (PyTorch's [out, in] weight), else
    /// act(x w + b) (Keras' [in, out] kernel). A fused kernel: one GEMM, then bias and activation
    /// in one pass.
    case linear(transposedWeight: Bool, activation: Activation)

    // Neural-network ops.
    /// (x): exp(x - max) / sum, along `dim`.
    case softmax(dim: Int)
    /// (x): x - max - log(sum(exp(x - max))), along `dim`.
    case logSoftmax(dim: Int)
    /// (x [N, C, H, W], w [O, C, KH, KW]): cross-correlation, as PyTorch's conv2d.
    case conv2d(stride: Int, padding: Int)
    /// (g, w, x): the gradient of conv2d with respect to its input.
    case conv2dBackwardInput(stride: Int, padding: Int)
    /// (x, g, w): the gradient of conv2d with respect to its weight.
    case conv2dBackwardWeight(stride: Int, padding: Int)
    /// (x [N, C, H, W]): the maximum of each window, no padding.
    case maxPool2d(kernelSize: Int, stride: Int)
    /// (g, x): routes each window's gradient to its maximum.
    case maxPool2dBackward(kernelSize: Int, stride: Int)
    /// (x [N, C, H, W]): the mean of each window, zero padding counted (PyTorch's defaults).
    case avgPool2d(kernelSize: Int, stride: Int, padding: Int)
    /// (g, like): spreads each window's gradient evenly over the window.
    case avgPool2dBackward(kernelSize: Int, stride: Int, padding: Int)

    // Normalisation.
    /// (x [N, C, *]): [3, C] per-channel statistics over every dim but 1: the mean, the biased
    /// variance (for normalising) and the unbiased variance (for running statistics, as PyTorch).
    case batchStatistics
    /// (g [3, C], x, y): the gradient of batchStatistics (y its output).
    case batchStatisticsBackward
    /// (x [N, C, *], mean [C], variance [C], weight [C], bias [C]): (x - mean) / sqrt(variance +
    /// eps) * weight + bias per channel; weight and bias only when `affine`.
    case batchNorm(eps: Float, affine: Bool)
    /// (g, x, mean, variance): [2, C]: per channel, the sum of g and of g * (x - mean) / sqrt(variance + eps).
    case batchNormBackwardReduce(eps: Float)
    /// (g [N, C, *], scale [C]): g * scale per channel (the input gradient of batchNorm).
    case batchNormBackwardInput
    /// (running, statistic): (1 - momentum) * running + momentum * statistic, the new value of a
    /// running statistic (no gradient: it is assigned, not differentiated).
    case movingAverage(momentum: Float)
    /// (x [..., normalizedShape], weight, bias): each sample normalised over its trailing
    /// `normalizedShape` dims, then * weight + bias (both shaped `normalizedShape`) when `affine`.
    case layerNorm(normalizedShape: [Int], eps: Float, affine: Bool)
    /// (g, x, weight): the gradient of layerNorm with respect to x (weight only when `affine`).
    case layerNormBackward(normalizedShape: [Int], eps: Float, affine: Bool)

    // Losses.
    /// (logits [N, C], labels [N]): mean over the batch of -log softmax(logits)[label].
    case crossEntropy
    /// (logits, labels): (softmax(logits) - onehot(labels)) / N, the gradient of crossEntropy.
    case crossEntropyBackward
    /// (logProbs [N, C], labels [N]): mean over the batch of -logProbs[label].
    case nllLoss
    /// (like [N, C], labels): -onehot(labels) / N, the gradient of nllLoss.
    case nllLossBackward
    /// (logits, targets), one shape: mean of max(x, 0) - x t + log(1 + exp(-|x|)).
    case binaryCrossEntropyWithLogits

    // Sources of values.
    /// (x): a mask shaped like x, each element 1 / (1 - p) with probability 1 - p, else 0, drawn
    /// from the global generator (see `manualSeed`). Stateful: every evaluation draws anew.
    case bernoulliMask(p: Float)
    /// (x): zeros shaped like x.
    case zerosLike
    /// (x): a chain of unary elementwise steps computed in one pass over memory.
    case fusedElementwise([ElementwiseStep])
}
