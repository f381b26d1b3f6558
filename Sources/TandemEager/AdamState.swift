/// The per-parameter state of Adam and AdamW (torch's `exp_avg`, `exp_avg_sq`,
/// `max_exp_avg_sq` and `step`), and the step that both optimizers take with it.
struct AdamState {
    var expAvg: [NDArray?]
    var expAvgSq: [NDArray?]
    /// The running maximum of `expAvgSq` (amsgrad only).
    var maxExpAvgSq: [NDArray?]
    /// Steps taken by each parameter (torch keeps one count per parameter).
    var steps: [Int]

    init(count: Int) {
        expAvg = Array(repeating: nil, count: count)
        expAvgSq = expAvg
        maxExpAvgSq = expAvg
        steps = Array(repeating: 0, count: count)
    }

    /// The buffers by state-dict name, for the shape check before a step.
    var namedBuffers: [(name: String, arrays: [NDArray?])] {
        [("exp_avg", expAvg), ("exp_avg_sq", expAvgSq), ("max_exp_avg_sq", maxExpAvgSq)]
    }

    /// One step of every parameter that has a gradient; buffers start as zeros, as in torch.
    mutating func step(
        _ parameters: [Tensor], lr: Float, betas: (Float, Float), eps: Float, weightDecay: Float,
        decoupledWeightDecay: Bool, amsgrad: Bool, maximize: Bool
    ) {
        for (i, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            if expAvg[i] == nil {
                expAvg[i] = NDArray(zeros: parameter.shape)
                expAvgSq[i] = NDArray(zeros: parameter.shape)
            }
            if amsgrad && maxExpAvgSq[i] == nil { maxExpAvgSq[i] = NDArray(zeros: parameter.shape) }
            steps[i] += 1
            OptimizerKernels.adam(
                param: &parameter.array, grad: grad.array, m: &expAvg[i]!, v: &expAvgSq[i]!, maxSquare: &maxExpAvgSq[i],
                step: steps[i], lr: lr, beta1: betas.0, beta2: betas.1, eps: eps, weightDecay: weightDecay,
                decoupledWeightDecay: decoupledWeightDecay, amsgrad: amsgrad, maximize: maximize)
        }
    }

    /// Adds the per-parameter entries to a state dict.
    func write(to writer: inout OptimizerStateWriter) {
        for i in steps.indices {
            writer.step(i, steps[i])
            writer.buffer(i, "exp_avg", expAvg[i])
            writer.buffer(i, "exp_avg_sq", expAvgSq[i])
            writer.buffer(i, "max_exp_avg_sq", maxExpAvgSq[i])
        }
    }

    /// The state held by a validated state dict.
    init(reading reader: OptimizerStateReader, count: Int, amsgrad: Bool) throws {
        self.init(count: count)
        let names = amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]
        for (i, state) in try reader.parameterStates(buffers: names, countsSteps: true).enumerated() {
            guard let state else { continue }
            steps[i] = state.step
            expAvg[i] = state.buffers[0]
            expAvgSq[i] = state.buffers[1]
            if amsgrad { maxExpAvgSq[i] = state.buffers[2] }
        }
    }
}
