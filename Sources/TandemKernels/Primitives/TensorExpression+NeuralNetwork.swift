// Pooling, normalisation and losses added for real models, written once for both frontends (see
// TensorExpression+Ops.swift for the first ones: conv2d, maxPool2d, crossEntropy, mseLoss).

/// The mean of each `kernelSize` x `kernelSize` window, stepping by `stride` (default: the
/// kernel size), over the input zero-padded by `padding` on each side, padding counted in the
/// mean (`F.avg_pool2d` with its defaults).
public func avgPool2d<T: TensorExpression>(
    _ input: T, kernelSize: Int, stride: Int? = nil, padding: Int = 0, file: StaticString = #fileID, line: UInt = #line
) -> T {
    T.apply(.avgPool2d(kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding), [input], at: SourceLocation(file, line))
}

/// Batch normalisation over the channels (dim 1) of `[N, C]` or `[N, C, H, W]` input
/// (`F.batch_norm`).
///
/// In training, each channel is normalised with its batch mean and biased variance (the
/// gradient flows through both), and the running statistics, when given, are moved toward the
/// batch's: `running = (1 - momentum) * running + momentum * batch`, with the unbiased variance,
/// as PyTorch. Eager updates the running tensors in place at once; a graph adds the updates to
/// `Graph.updateOps`, to run with the train op. In eval, the running statistics normalise.
///
/// - Parameters:
///   - input: `[N, C]` or `[N, C, *]`.
///   - runningMean: `[C]`; required in eval.
///   - runningVar: `[C]`; required in eval.
///   - weight: `[C]` scale (nil: 1).
///   - bias: `[C]` shift (nil: 0).
///   - training: normalise with batch statistics (and update the running ones).
///   - momentum: the weight of the batch statistics in the running update.
///   - eps: added to the variance before the square root.
public func batchNorm<T: TensorExpression>(
    _ input: T, runningMean: T?, runningVar: T?, weight: T?, bias: T?, training: Bool,
    momentum: Float = 0.1, eps: Float = 1e-5, file: StaticString = #fileID, line: UInt = #line
) -> T {
    let location = SourceLocation(file, line)
    func op(_ op: Op, _ inputs: T...) -> T { T.apply(op, inputs, at: location) }
    var normalized = [input]
    if training {
        let statistics = op(.batchStatistics, input)
        func row(_ i: Int) -> T { op(.squeeze(dim: 0), op(.narrow(dim: 0, start: i, length: 1), statistics)) }
        normalized += [row(0), row(1)]
        if let runningMean { T.assign(op(.movingAverage(momentum: momentum), runningMean, row(0)), to: runningMean, at: location) }
        if let runningVar { T.assign(op(.movingAverage(momentum: momentum), runningVar, row(2)), to: runningVar, at: location) }
    } else {
        guard let runningMean, let runningVar else {
            ErrorScope.report(.invalidValue(
                op: Op.Kind.batchNorm.rawValue, reason: "running_mean and running_var must be given in evaluation mode",
                location: location))
            return batchNorm(input, runningMean: nil, runningVar: nil, weight: weight, bias: bias, training: true,
                             momentum: momentum, eps: eps, file: file, line: line)
        }
        normalized += [runningMean, runningVar]
    }
    let affine = weight != nil || bias != nil
    if affine {
        // One missing half of the affine map is filled with its identity (weight 1, bias 0).
        normalized.append(weight ?? op(.addScalar(1), op(.zerosLike, bias!)))
        normalized.append(bias ?? op(.zerosLike, weight!))
    }
    return T.apply(.batchNorm(eps: eps, affine: affine), normalized, at: location)
}

/// Layer normalisation over the trailing `normalizedShape` dimensions of each sample, with the
/// biased variance, then `* weight + bias` (both shaped `normalizedShape`) when given
/// (`F.layer_norm`).
public func layerNorm<T: TensorExpression>(
    _ input: T, normalizedShape: [Int], weight: T?, bias: T?, eps: Float = 1e-5,
    file: StaticString = #fileID, line: UInt = #line
) -> T {
    let location = SourceLocation(file, line)
    guard weight != nil || bias != nil else {
        return T.apply(.layerNorm(normalizedShape: normalizedShape, eps: eps, affine: false), [input], at: location)
    }
    let w = weight ?? T.apply(.addScalar(1), [T.apply(.zerosLike, [bias!], at: location)], at: location)
    let b = bias ?? T.apply(.zerosLike, [weight!], at: location)
    return T.apply(.layerNorm(normalizedShape: normalizedShape, eps: eps, affine: true), [input, w, b], at: location)
}

/// The negative log-likelihood of integer class labels `[N]` under log-probabilities `[N, C]`,
/// averaged over the batch (`F.nll_loss`); `nllLoss(x.logSoftmax(dim: 1), labels)` is
/// `crossEntropy(x, labels)`.
public func nllLoss<T: TensorExpression>(_ logProbs: T, _ labels: T, file: StaticString = #fileID, line: UInt = #line) -> T {
    T.apply(.nllLoss, [logProbs, labels], at: SourceLocation(file, line))
}

/// Binary cross-entropy between sigmoid(logits) and targets in [0, 1] of the same shape,
/// averaged over every element, computed stably from the logits (`F.binary_cross_entropy_with_logits`).
public func binaryCrossEntropyWithLogits<T: TensorExpression>(
    _ logits: T, _ targets: T, file: StaticString = #fileID, line: UInt = #line
) -> T {
    T.apply(.binaryCrossEntropyWithLogits, [logits, targets], at: SourceLocation(file, line))
}
