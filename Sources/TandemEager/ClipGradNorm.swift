/// Rescales gradients so that their combined L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`), in place, and returns the norm before clipping.
///
/// As in PyTorch, the scale is `maxNorm / (norm + 1e-6)` clamped to at most 1
/// (`OptimizerKernels.clipCoefficient`, which the graph's `clipByGlobalNorm` shares); parameters
/// without a gradient are ignored.
///
/// ```swift
/// loss.backward()
/// let norm = clipGradNorm(model.parameters, maxNorm: 1.0)
/// optimizer.step()
/// ```
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let grads = parameters.compactMap(\.grad)
    if grads.isEmpty { return 0 }
    let norm = OptimizerKernels.totalNorm(grads.map(\.array))
    let coefficient = OptimizerKernels.clipCoefficient(norm: norm, maxNorm: maxNorm)
    // Scaling by exactly 1 changes nothing, so it is skipped; a NaN coefficient (a NaN norm) is
    // applied, as PyTorch applies it.
    if !(coefficient >= 1) {
        for grad in grads { OptimizerKernels.scale(&grad.array, by: coefficient) }
    }
    return norm
}
