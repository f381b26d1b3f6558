/// Rescales gradients so that their combined L2 norm is at most `clipNorm`
/// (`tf.clip_by_global_norm`), for use between `computeGradients` and `applyGradients`.
///
/// The norm and the factor are the eager `clipGradNorm`'s, from the same kernels
/// (`OptimizerKernels.totalNorm`, `OptimizerKernels.clipCoefficient`): each gradient is multiplied
/// by `clipNorm / (norm + 1e-6)` when that is below 1. TF1 multiplies by
/// `clipNorm * min(1 / norm, 1 / clipNorm)`, without the 1e-6, a relative difference of
/// 1e-6 / norm in the clipped values.
///
/// ```swift
/// let optimizer = MomentumOptimizer(learningRate: 0.1, momentum: 0.9)
/// let pairs = optimizer.computeGradients(loss)
/// let (clipped, norm) = clipByGlobalNorm(pairs.map(\.gradient), clipNorm: 1)
/// let train = optimizer.applyGradients(Array(zip(clipped, pairs.map(\.variable))).map { (gradient: $0.0, variable: $0.1) })
/// ```
///
/// - Parameters:
///   - gradients: the gradients (at least one, of one graph).
///   - clipNorm: the largest combined norm allowed (positive).
///   - file: the source file recorded on the nodes (defaults to the caller's, for error messages).
///   - line: the source line recorded on the nodes (defaults to the caller's).
/// - Returns: the clipped gradients, in order, and the combined norm before clipping (rank 0).
public func clipByGlobalNorm(
    _ gradients: [Node], clipNorm: Float, file: StaticString = #fileID, line: UInt = #line
) -> (clipped: [Node], globalNorm: Node) {
    let location = SourceLocation(file, line)
    guard let graph = gradients.first?.graph else {
        // No node to say which graph the result belongs to, so no node can be returned.
        preconditionFailure("Tandem error: clipByGlobalNorm: no gradients (at \(location))")
    }
    let norm = graph.addTrainingFunction(.globalNorm, gradients, name: "global_norm", at: location)
    var coefficientInputs = [norm]
    if !(clipNorm > 0) || !clipNorm.isFinite {
        ErrorScope.report(.invalidValue(op: "clipByGlobalNorm", reason: "clipNorm must be positive, got \(clipNorm)", location: location))
        coefficientInputs = []
    }
    let coefficient = graph.addTrainingFunction(.clipCoefficient(clipNorm: clipNorm), coefficientInputs, name: "clip_coefficient", at: location)
    let clipped = gradients.map { gradient in
        gradient.belongs(to: graph) ? Node.apply(.mul, [gradient, coefficient], at: location) : gradient
    }
    return (clipped, norm)
}
