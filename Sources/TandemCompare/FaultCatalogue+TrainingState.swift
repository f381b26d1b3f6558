import Foundation

/// The training-state faults (batch norm and dropout), each with a fault-free twin that must
/// run with no diagnostic at all. The programs train a small batch-norm MLP (784 -> 64, batch
/// norm, ReLU, 64 -> 10) for a few steps and then evaluate it, as a user would.
extension GraphFaults {
    /// The model's graph: the training forward pass (batch statistics, running-statistics
    /// updates in `updateOps`), the eval forward pass (running statistics) and the train op.
    private struct BatchNormModel {
        let graph = Graph()
        var x: Node!, y: Node!, loss: Node!, train: Node!, trainLogits: Node!, evalLogits: Node!
    }

    /// Evaluates with the training-mode logits: batch norm normalises each evaluation batch with
    /// its own statistics (TF1: forgetting `training=False`). The session warns, naming the line
    /// that built the training-mode batch norm. The twin fetches the eval-mode logits built with
    /// `training: false`.
    static func missingEval(fixed: Bool) -> FaultResult {
        var m = BatchNormModel()
        let probe = FaultProbe { [graph = m.graph] in graph.warnings }
        var fault: SourceLocation?
        do {
            fault = try buildBatchNormModel(&m).batchNorm
            let session = Session(graph: m.graph)
            try session.run(m.graph.initializeVariables())
            probe.startRunning()
            let batches = faultBatches(steps: 4)
            for (x, y) in batches.dropLast() {
                try session.run([m.loss, m.train] + m.graph.updateOps, feed: [m.x: x, m.y: labelArray(y)])
            }
            let evaluation = fixed ? m.evalLogits! : m.trainLogits!  // the fault: the training-mode logits
            _ = try session.run(evaluation, feed: [m.x: batches[batches.count - 1].0])
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.missingEval, frontend: frontend, op: "batch_norm", shapes: [], line: fault)
    }

    /// Trains without running `Graph.updateOps` (TF1's classic): the running statistics never
    /// move, and evaluation normalises with their initial values. The session warns at the first
    /// such run, naming the line that created the train op. The twin runs the updates.
    static func batchNormUpdatesNotRun(fixed: Bool) -> FaultResult {
        var m = BatchNormModel()
        let probe = FaultProbe { [graph = m.graph] in graph.warnings }
        var fault: SourceLocation?
        do {
            fault = try buildBatchNormModel(&m).train
            let session = Session(graph: m.graph)
            try session.run(m.graph.initializeVariables())
            probe.startRunning()
            let batches = faultBatches(steps: 4)
            for (x, y) in batches.dropLast() {
                let updates = fixed ? m.graph.updateOps : []  // the fault: updates left out
                try session.run([m.loss, m.train] + updates, feed: [m.x: x, m.y: labelArray(y)])
            }
            _ = try session.run(m.evalLogits, feed: [m.x: batches[batches.count - 1].0])
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.batchNormUpdatesNotRun, frontend: frontend, op: "updateOps", shapes: [], line: fault)
    }

    /// Builds the batch-norm MLP; returns the lines that built batch norm and the train op.
    private static func buildBatchNormModel(_ m: inout BatchNormModel) throws -> (batchNorm: SourceLocation, train: SourceLocation) {
        let g = m.graph
        var batchNormLine = here()
        return try checked { () -> (batchNorm: SourceLocation, train: SourceLocation) in
            m.x = g.placeholder(shape: [nil, 784], name: "images")
            m.y = g.labelsPlaceholder(name: "labels")
            let (w0, b0) = faultWeights(64, 784), (w1, b1) = faultWeights(10, 64)
            let v = [g.variable(w0, name: "w0"), g.variable(b0, name: "b0"), g.variable(NDArray(ones: [64]), name: "gamma"),
                     g.variable(NDArray(zeros: [64]), name: "beta"), g.variable(w1, name: "w1"), g.variable(b1, name: "b1")]
            let mean = g.variable(NDArray(zeros: [64]), name: "moving_mean", trainable: false)
            let variance = g.variable(NDArray(ones: [64]), name: "moving_variance", trainable: false)
            func logits(training: Bool) -> Node {
                let h = linear(m.x, weight: v[0], bias: v[1])
                let n = batchNorm(h, runningMean: mean, runningVar: variance, weight: v[2], bias: v[3], training: training); batchNormLine = here()
                return linear(n.relu(), weight: v[4], bias: v[5])
            }
            m.trainLogits = logits(training: true)
            m.evalLogits = logits(training: false)
            m.loss = crossEntropy(m.trainLogits, m.y)
            m.train = MomentumOptimizer(learningRate: 0.05, momentum: 0.9).minimize(m.loss)
            return (batchNormLine, here(line: #line - 1))
        }
    }
}

extension EagerFaults {
    /// Evaluates a model with dropout without calling `eval()` first: dropout keeps zeroing
    /// activations, so predictions change from call to call (batch norm would keep normalising
    /// with each batch's statistics). PyTorch says nothing. The twin calls `model.eval()`.
    static func missingEval(fixed: Bool) -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let model = TandemEager.Sequential([Linear(784, 64), ReLU(), Dropout(p: 0.5), Linear(64, 10)])
        let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            let batches = faultBatches(steps: 4)
            try checked {
                for (x, y) in batches.dropLast() {
                    optimizer.zeroGrad()
                    crossEntropy(model(Tensor(x)), Tensor(labels: y)).backward()
                    optimizer.step()
                }
                if fixed { model.eval() }  // the fault: this line is missing
                _ = noGrad { model(Tensor(batches[batches.count - 1].0)) }; fault = here()
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.missingEval, frontend: frontend, op: "Dropout", shapes: [], line: fault)
    }
}
