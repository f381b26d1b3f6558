import Foundation

extension Benchmark {
    /// A recurrence h <- tanh(h W + x_t U) over 20 steps of a [32, 64] state, forward and backward:
    /// eager as a Swift `for` over tensors, the graph as one `whileLoop` (its gradient a second
    /// loop replaying the recorded states); and the graph's cost of one loop iteration with a
    /// one-element body (the framework overhead a loop adds per iteration). Medians of
    /// `repetitions`, contenders interleaved.
    func controlFlowRows() throws -> [Row] {
        let (steps, batch, width) = (20, 32, 64)
        let xs = Initializer.normal([steps, batch, width])
        let wValue = Initializer.kaimingUniform([width, width]), uValue = Initializer.kaimingUniform([width, width])

        let we = Tensor(wValue, requiresGrad: true), ue = Tensor(uValue, requiresGrad: true)
        let inputs = (0..<steps).map { Tensor(xs).narrow(dim: 0, start: $0, length: 1).squeeze(dim: 0) }
        func eagerStep() {
            we.zeroGrad()
            ue.zeroGrad()
            var h = Tensor(NDArray(zeros: [batch, width]))
            for x in inputs { h = (h.matmul(we) + x.matmul(ue)).tanh() }
            h.sum().backward()
        }

        let g = Graph()
        let x = g.placeholder(shape: [nil, nil, width], name: "x")
        let length = g.placeholder(shape: [], name: "length")
        let w = g.variable(wValue, name: "w"), u = g.variable(uValue, name: "u")
        let h0 = g.placeholder(shape: [nil, width], name: "h0")
        let final = g.whileLoop(
            condition: { v in v[0].less(length) },
            body: { v in
                let xt = x.indexSelect(dim: 0, index: v[0].reshape([1])).squeeze(dim: 0)
                return [v[0] + 1, (v[1].matmul(w) + xt.matmul(u)).tanh()]
            },
            loopVariables: [g.constant(NDArray(0)), h0])[1]
        let grads = g.gradients(of: final.sum(), with: [w, u])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let feed: [Node: NDArray] = [x: xs, length: NDArray(Float(steps)), h0: NDArray(zeros: [batch, width])]
        func graphStep() throws { _ = try session.run(grads, feed: feed) }

        let counter = Graph()
        let limit = counter.placeholder(shape: [], name: "limit")
        let count = counter.whileLoop(
            condition: { v in v[0].less(limit) }, body: { v in [v[0] + 1] }, loopVariables: [counter.constant(NDArray(0))])[0]
        let counterSession = Session(graph: counter)
        let iterations = 2_000
        func spin() throws { _ = try counterSession.run(count, feed: [limit: NDArray(Float(iterations))]) }

        eagerStep()
        try graphStep()
        try spin()
        let tasks: [(String, String, Double, () throws -> Void)] = [
            ("rnn 20 steps [32, 64] fwd+bwd, eager Swift loop", "ms", 1, eagerStep),
            ("rnn 20 steps [32, 64] fwd+bwd, graph whileLoop", "ms", 1, graphStep),
            ("whileLoop iteration, 1-element body, graph", "ns", Double(iterations), spin),
        ]
        var samples = [[Double]](repeating: [], count: tasks.count)
        for _ in 0..<repetitions {
            for (t, task) in tasks.enumerated() {
                let start = Profiler.now()
                try task.3()
                let elapsed = Double(Profiler.now() &- start)
                samples[t].append(task.1 == "ms" ? elapsed / 1e6 : elapsed / task.2)
            }
        }
        return tasks.enumerated().map { t, task in
            Row(task: task.0, median: median(samples[t]), minimum: samples[t].min() ?? 0, maximum: samples[t].max() ?? 0,
                unit: task.1, peakBytes: nil)
        }
    }
}
