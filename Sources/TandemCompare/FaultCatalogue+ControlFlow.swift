import Foundation

/// The control-flow faults. Every fault of the catalogue has a fault-free twin: the same program
/// with the mistake fixed, which must run to the end with no diagnostic at all (so a detection
/// is not just noise); `runTwin` is the one entry point to all of them.
extension FaultCatalogue {
    /// Runs the fault-free twin of `fault` in `frontend` (`eager` or `graph`); its verdict must be
    /// `never` (no error, no warning). Nil when the fault cannot happen in that frontend.
    ///
    /// - Parameters:
    ///   - fault: a fault of the catalogue.
    ///   - frontend: `eager` or `graph`.
    public static func runTwin(_ fault: Fault, frontend: String) -> FaultResult? {
        switch frontend {
        case EagerFaults.frontend: return EagerFaults.run(fault, twin: true)
        case GraphFaults.frontend: return GraphFaults.run(twinOf: fault)
        default: return nil
        }
    }
}

/// A batch of 64 rows of 8 features and a [8, 4] projection: the shapes of the loop faults.
private let loopBatch = NDArray(shape: [64, 8], scalars: (0..<512).map { Float(($0 * 37) % 17) / 17 - 0.5 })

extension GraphFaults {
    /// Scales the batch by 2 when its mean is positive. The fault decides in Swift by reading the
    /// mean with `item()` while building (the graph has no value yet: the error points at
    /// `cond`); the twin builds `g.cond` and runs both ways.
    static func valueReadWhileBuilding(fixed: Bool) -> FaultResult {
        let g = Graph()
        let probe = FaultProbe { g.warnings }
        var fault: SourceLocation?
        do {
            let (x, y) = try checked { () -> (Node, Node) in
                let x = g.placeholder(shape: [nil, 8], name: "x")
                let mean = x.mean()
                let y: Node
                if fixed {
                    y = g.cond(mean.greater(g.constant(NDArray(0))), then: { [x * 2] }, else: { [x] })[0]
                } else {
                    y = mean.item() > 0 ? x * 2 : x; fault = here()
                }
                return (x, y.sum())
            }
            let session = Session(graph: g)
            probe.startRunning()
            for sign: Float in [1, -1] {
                let batch = NDArray(shape: loopBatch.shape, scalars: loopBatch.scalars.map { sign * ($0 + 0.5) })
                let total = try session.run(y, feed: [x: batch]).scalar
                let expected = batch.scalars.reduce(0, +) * (sign > 0 ? 2 : 1)
                if abs(total - expected) > 1e-2 * abs(expected) {
                    probe.record(TandemError.graph(node: "cond", reason: "computed \(total), expected \(expected)", location: nil))
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.valueReadWhileBuilding, frontend: frontend, op: "mean", shapes: [], line: fault)
    }

    /// An RNN-style loop whose state is projected by a [8, 4] weight: the loop variable [?, 8]
    /// would become [?, 4], reported when the loop is built, naming the loop variable and lines.
    /// The twin uses an [8, 8] weight.
    static func loopShapeChange(fixed: Bool) -> FaultResult {
        let g = Graph()
        let probe = FaultProbe { g.warnings }
        var fault: SourceLocation?
        do {
            let (h0, out) = try checked { () -> (Node, Node) in
                let h0 = g.placeholder(shape: [nil, 8], name: "h0")
                let w = g.variable(faultWeights(fixed ? 8 : 4, 8).weight.transposed(0, 1), name: "w")
                fault = here(line: #line + 1)
                let final = g.whileLoop(
                    condition: { v in v[0].less(g.constant(NDArray(3))) },
                    body: { v in [v[0] + 1, v[1].matmul(w).tanh()] },
                    loopVariables: [g.constant(NDArray(0)), h0])
                return (h0, final[1].sum())
            }
            let session = Session(graph: g)
            try session.run(g.initializeVariables())
            probe.startRunning()
            _ = try session.run(out, feed: [h0: loopBatch])
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.loopShapeChange, frontend: frontend, op: "while_loop", shapes: ["[?, 8]", "[?, 4]"], line: fault)
    }
}

extension EagerFaults {
    /// The same RNN-style loop as a Swift `for` over tensors: nothing checks that the state keeps
    /// its shape, so [64, 8] silently becomes [64, 4] and the second iteration's matmul fails
    /// (at run time, at the matmul's line, saying nothing about a loop). The twin uses [8, 8].
    static func loopShapeChange(fixed: Bool) -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let w = Tensor(faultWeights(fixed ? 8 : 4, 8).weight.transposed(0, 1), requiresGrad: true)
        probe.startRunning()
        do {
            try checked {
                var h = Tensor(loopBatch)
                for _ in 0..<3 {
                    h = h.matmul(w).tanh(); fault = here()
                }
                h.sum().backward()
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.loopShapeChange, frontend: frontend, op: "matmul", shapes: ["[64, 4]", "[8, 4]"], line: fault)
    }
}
