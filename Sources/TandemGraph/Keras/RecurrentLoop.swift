/// The time loop the Keras recurrent layers share: one `Graph.whileLoop` over the time steps of a
/// `[batch, time, features]` input (not unrolled: the graph holds one copy of the step however
/// long the sequence).
enum RecurrentLoop {
    /// Runs `step` over the `timeSteps` steps of `input`.
    ///
    /// - Parameters:
    ///   - input: `[batch, timeSteps, features]`.
    ///   - timeSteps: the number of steps (the input's static time dimension).
    ///   - units: the width of every state.
    ///   - stateCount: how many `[batch, units]` states the step carries (zeros at first); the
    ///     first is the output.
    ///   - returnSequences: whether to return the output at every step `[batch, time, units]`
    ///     rather than the last `[batch, units]`.
    ///   - name: the loop node's name.
    ///   - step: from one step's input `[batch, features]` and the states, the next states.
    static func run(
        _ input: Node, timeSteps: Int, units: Int, stateCount: Int, returnSequences: Bool, name: String,
        step: (Node, [Node]) -> [Node]
    ) -> Node {
        let g = input.graph
        let xs = input.transpose(0, 1)  // [time, batch, features]
        let zeros = g.constant(NDArray(zeros: [units]), name: "\(name)_zeros")
        // Zero states of the run-time batch size: [batch, 1] zeros broadcast against [units].
        let batchZeros = Node.apply(.zerosLike, [input.narrow(dim: 1, start: 0, length: 1).narrow(dim: 2, start: 0, length: 1).squeeze(dim: 2)], at: nil)
        let initialState = batchZeros + zeros
        // NOTE: a loop variable keeps one shape, so the per-step outputs (TensorFlow's
        // TensorArray) are written into a [time, batch, units] buffer through a one-hot mask over
        // time: O(time) work per step, negligible next to the step's matmuls at these lengths.
        let buffer = Node.apply(.zerosLike, [xs.narrow(dim: 2, start: 0, length: 1)], at: nil) + zeros
        let timeIndex = g.constant(
            NDArray(shape: [timeSteps, 1, 1], scalars: (0..<timeSteps).map(Float.init)), name: "\(name)_time_index")
        let limit = g.constant(NDArray(Float(timeSteps)), name: "\(name)_time_steps")
        let initial = [g.constant(NDArray(0), name: "\(name)_t")] + Array(repeating: initialState, count: stateCount)
            + (returnSequences ? [buffer] : [])
        let final = g.whileLoop(
            condition: { v in v[0].less(limit) },
            body: { v in
                let t = v[0]
                let x = xs.indexSelect(dim: 0, index: t.reshape([1])).squeeze(dim: 0)
                let states = step(x, Array(v[1...stateCount]))
                var next = [t + 1] + states
                if returnSequences { next.append(v[stateCount + 1] + timeIndex.equal(t) * states[0].unsqueeze(dim: 0)) }
                return next
            },
            loopVariables: initial, maximumIterations: timeSteps, name: name)
        return returnSequences ? final[stateCount + 1].transpose(0, 1) : final[1]
    }

    /// Checks a recurrent layer's input shape `[time, features]` (without the batch) and reports
    /// anything else through `ErrorScope`, naming the layer.
    static func checkInputShape(_ inputShape: [Int], layer: String) -> Bool {
        guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] > 0 else {
            ErrorScope.report(.shapeMismatch(
                op: layer, shapes: [[nil] + inputShape.map(Optional.some)],
                reason: "expects inputs of shape [batch, time, features] with a known, positive time and feature count",
                location: nil))
            return false
        }
        return true
    }
}
