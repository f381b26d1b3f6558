/// Rescales gradients so that their combined L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`), in place, and returns the norm before clipping.
///
/// As in PyTorch, the scale is `maxNorm / (norm + 1e-6)`, applied only when it is below 1;
/// parameters without a gradient are ignored.
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
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for grad in grads { OptimizerKernels.scale(&grad.array, by: coefficient) }
    }
    return norm
}
