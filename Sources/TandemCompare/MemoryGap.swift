import Foundation

/// The sentence that explains an eager-versus-graph peak-memory difference, shared by the
/// comparison report (table and HTML) and tutorial 10 so that they say the same thing.
///
/// Both frontends save for backward what PyTorch saves (relu its output, a product the factor the
/// other factor's gradient needs, an add nothing: `Op.gradientReads(input:needed:)`), so the
/// activations kept for backward are the same
/// and the tape is not the cause. What remains is split by a third measurement:
/// - **a choice either frontend could make**: the graph's update fusion computes each linear
///   weight's gradient inside its SGD update and never stores it, while eager keeps every
///   gradient until `step()`; eager can do the same by stepping each parameter in a
///   post-accumulate-grad hook during backward (PyTorch's recipe). Eager's peak minus its peak
///   with that recipe is this part;
/// - **planning and fusion**, which need the whole step in advance: buffers reused at each
///   value's known last use, fused kernels writing into them, instead of fresh allocations (the
///   planner also keeps its buffers reserved for the whole step, which can cost more than it
///   saves). The recipe's peak minus the graph's is this part.
public enum MemoryGap {
    /// The explanation for one model, from three measured peaks of the same training step.
    ///
    /// - Parameters:
    ///   - eagerPeakBytes: eager's peak (gradients kept until `step()`).
    ///   - stepInBackwardPeakBytes: eager's peak with each parameter stepped inside backward
    ///     (0: not measured).
    ///   - graphPeakBytes: the graph's peak.
    /// - Returns: two or three sentences.
    public static func sentence(eagerPeakBytes: Int, stepInBackwardPeakBytes: Int, graphPeakBytes: Int) -> String {
        var text = "Both frontends save for backward what PyTorch saves, so the activations kept for backward are the same."
        guard eagerPeakBytes > 0, graphPeakBytes > 0 else { return text }
        let gap = eagerPeakBytes - graphPeakBytes
        let ratio = String(format: "%.2f", Double(graphPeakBytes) / Double(eagerPeakBytes))
        text += gap >= 0
            ? " The graph's peak is \(mb(gap)) lower (graph/eager \(ratio))."
            : " The graph's peak is \(mb(-gap)) higher (graph/eager \(ratio))."
        guard stepInBackwardPeakBytes > 0 else {
            return text + " Stepping the optimizer inside backward was not measured, so the choice and planning are not separated."
        }
        let choice = eagerPeakBytes - stepInBackwardPeakBytes
        let planning = stepInBackwardPeakBytes - graphPeakBytes
        // Differences under 1 % of eager's peak are allocator noise, not a finding.
        let noise = eagerPeakBytes / 100
        text += choice > noise
            ? " \(mb(choice)) of eager's peak is weight gradients kept until step(), a choice either frontend could make:"
                + " stepping each parameter inside backward (PyTorch's register_post_accumulate_grad_hook recipe) removes it."
            : " None of it is weight gradients kept until step(): stepping each parameter inside backward"
                + " (a choice either frontend could make) leaves eager's peak unchanged, since it comes before those gradients exist."
        text += planning >= -noise
            ? " The remaining \(mb(max(planning, 0))) is planning and fusion: the graph reuses buffers at each value's known last use"
                + " and writes fused kernels' results into them, where eager allocates fresh ones."
            : " Planning costs \(mb(-planning)) here: the graph keeps every buffer of its plan reserved for the whole step."
        return text
    }

    /// Bytes as megabytes (10^6), the report's unit.
    static func mb(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1e6) }
}

extension ModelResult {
    /// ``MemoryGap/sentence(eagerPeakBytes:stepInBackwardPeakBytes:graphPeakBytes:)`` for this model.
    public var memoryExplanation: String {
        MemoryGap.sentence(
            eagerPeakBytes: eager.peakBytes, stepInBackwardPeakBytes: eagerStepInBackwardPeakBytes, graphPeakBytes: graph.peakBytes)
    }
}
