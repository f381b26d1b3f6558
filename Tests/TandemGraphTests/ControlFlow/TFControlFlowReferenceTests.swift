import XCTest
@testable import TandemGraph

/// The same control-flow graphs as TensorFlow 1.x built (values recorded by
/// scripts/tensorflow/record_control_flow_reference.py): outputs and gradients agree.
final class TFControlFlowReferenceTests: XCTestCase {
    private func reference(_ name: String) throws -> TFControlFlowReference.Case {
        try XCTUnwrap(TFControlFlowReference.cases[name], "no recorded case \(name)")
    }

    /// Runs `fetches` (named) with the case's inputs fed to `placeholders`, and compares each with
    /// the recorded output of the same name.
    private func check(
        _ name: String, placeholders: [String: Node], fetches: [String: Node], tolerance: Float = 1e-5,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let recorded = try reference(name)
        let graph = try XCTUnwrap(placeholders.values.first).graph
        let session = Session(graph: graph)
        var feed: [Node: NDArray] = [:]
        for (key, node) in placeholders { feed[node] = try XCTUnwrap(recorded.inputs[key], "input \(key)") }
        let keys = fetches.keys.sorted()
        let values = try session.run(keys.map { fetches[$0]! }, feed: feed)
        for (key, value) in zip(keys, values) {
            let expected = try XCTUnwrap(recorded.outputs[key], "output \(key)")
            XCTAssertEqual(value.shape, expected.shape, "\(name).\(key)", file: file, line: line)
            assertClose(value.scalars, expected.scalars, tolerance: tolerance, "\(name).\(key)", file: file, line: line)
        }
    }

    func testPowerLoopAndMaximumIterations() throws {
        for name in ["power_0", "power_1", "power_5", "capped"] {
            let g = Graph()
            let x = g.placeholder(shape: [3], name: "x"), a = g.placeholder(shape: [], name: "a")
            let n = name == "capped" ? g.constant(NDArray(10)) : g.placeholder(shape: [], name: "n")
            let out = powerLoop(g, x: x, a: a, n: n, maximumIterations: name == "capped" ? 3 : nil)[1]
            let grads = g.gradients(of: out.sum(), with: [x, a])
            var placeholders = ["x": x, "a": a]
            if name != "capped" { placeholders["n"] = n }
            try check(name, placeholders: placeholders, fetches: ["out": out, "dx": grads[0], "da": grads[1]])
        }
    }

    func testRecurrence() throws {
        let g = Graph()
        let h0 = g.placeholder(shape: [2, 3], name: "h0"), w = g.placeholder(shape: [3, 3], name: "w")
        let b = g.placeholder(shape: [3], name: "b"), r = g.placeholder(shape: [2, 3], name: "r")
        let out = g.whileLoop(
            condition: { v in v[0].less(g.constant(NDArray(4))) },
            body: { v in [v[0] + 1, (v[1].matmul(w) + b).tanh()] },
            loopVariables: [g.constant(NDArray(0)), h0])[1]
        let loss = (out * r).sum()
        let grads = g.gradients(of: loss, with: [h0, w, b])
        try check("recurrence", placeholders: ["h0": h0, "w": w, "b": b, "r": r],
                  fetches: ["loss": loss, "dh0": grads[0], "dw": grads[1], "db": grads[2]])
    }

    func testCondBothBranches() throws {
        for name in ["cond_then", "cond_else"] {
            let g = Graph()
            let x = g.placeholder(shape: [2, 2], name: "x"), w = g.placeholder(shape: [2], name: "w")
            let p = g.placeholder(shape: [], name: "p")
            let y = g.cond(p, then: { [(x * w).sigmoid()] }, else: { [x.matmul(x) + w.exp()] })[0]
            let loss = (y * y).sum()
            let grads = g.gradients(of: loss, with: [x, w])
            try check(name, placeholders: ["x": x, "w": w, "p": p], fetches: ["loss": loss, "dx": grads[0], "dw": grads[1]])
        }
    }

    func testCondInsideALoop() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x"), a = g.placeholder(shape: [], name: "a")
        let out = g.whileLoop(
            condition: { v in v[0].less(g.constant(NDArray(5))) },
            body: { v in
                let h = v[1]
                return [v[0] + 1, g.cond(v[0].less(g.constant(NDArray(2))), then: { [h * a] }, else: { [(h + a * h).tanh()] })[0]]
            },
            loopVariables: [g.constant(NDArray(0)), x])[1]
        let loss = (out * out).sum()
        let grads = g.gradients(of: loss, with: [x, a])
        try check("nested", placeholders: ["x": x, "a": a], fetches: ["loss": loss, "dx": grads[0], "da": grads[1]])
    }

    func testDynamicRNN() throws {
        for name in ["dynamic_2", "dynamic_5"] {
            let g = Graph()
            let x = g.placeholder(shape: [nil, nil, 3], name: "x")
            let w = g.placeholder(shape: [3, 4], name: "w"), u = g.placeholder(shape: [4, 4], name: "u")
            let length = g.placeholder(shape: [], name: "length")
            // TF starts from zeros of [batch, 4]: here, zeros shaped like step 0's projection.
            let h0 = x.indexSelect(dim: 0, index: g.constant(NDArray(shape: [1], scalars: [0]))).squeeze(dim: 0).matmul(w) * 0
            let out = g.whileLoop(
                condition: { v in v[0].less(length) },
                body: { v in
                    let xt = x.indexSelect(dim: 0, index: v[0].reshape([1])).squeeze(dim: 0)
                    return [v[0] + 1, (xt.matmul(w) + v[1].matmul(u)).tanh()]
                },
                loopVariables: [g.constant(NDArray(0)), h0])[1]
            let loss = (out * out).sum()
            let grads = g.gradients(of: loss, with: [x, w, u])
            try check(name, placeholders: ["x": x, "w": w, "u": u, "length": length],
                      fetches: ["loss": loss, "dx": grads[0], "dw": grads[1], "du": grads[2]], tolerance: 2e-5)
        }
    }
}
