// The values that flow through a running plan when control flow is involved: arrays, and the
// bundles (outputs plus record) that control-flow steps produce.

/// A value inside a running plan: an array, or the bundle a control-flow step produced.
enum RunValue {
    case array(NDArray)
    case bundle(ControlFlowResult)

    /// The array (an empty one for a bundle, as for any effect step).
    var array: NDArray {
        if case .array(let value) = self { return value }
        return ExecutionPlan.empty
    }
}

/// What a control-flow step produced in one run: its outputs and, when a gradient in the same
/// run will read it, its record.
final class ControlFlowResult {
    let outputs: [NDArray]
    let record: ControlFlowRecord?

    init(outputs: [NDArray], record: ControlFlowRecord?) {
        self.outputs = outputs
        self.record = record
    }
}

/// The values a forward cond or loop recorded for its gradient (TensorFlow's stacks): which
/// branch ran, and per iteration (one for a cond) the values of the forward sub-graph's
/// `recordedNodes`, in that order. Nested control flow records bundles of its own.
final class ControlFlowRecord {
    let branch: Int
    var iterations: [[RunValue]] = []

    init(branch: Int) { self.branch = branch }
}
