import XCTest
@testable import TandemGraph

final class GraphDOTTests: XCTestCase {
    func testDOTBeforeAndAfterOptimisation() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let w = g.variable(NDArray(zeros: [4, 2]), name: "w")
        let b = g.variable(NDArray(zeros: [2]), name: "b")
        let y = (x.matmul(w) + b).relu()
        let line = #line - 1
        let before = try g.dot(fetches: [y])
        XCTAssertTrue(before.hasPrefix("digraph"))
        XCTAssertTrue(before.contains("matmul") && before.contains("relu"), before)
        XCTAssertTrue(before.contains("[?, 2]"), before)
        XCTAssertTrue(before.contains("GraphDOTTests.swift:\(line)"), before)
        XCTAssertTrue(before.contains("operator"), before)  // the + has no line
        let after = try g.dot(fetches: [y], optimized: true)
        XCTAssertTrue(after.contains("linear(x w + b, relu)"), after)
        XCTAssertFalse(after.contains("\\nmatmul\\n"), after)
        let session = Session(graph: g)
        XCTAssertEqual(try session.dot(fetches: [y], feedKeys: [x]), try session.dot(fetches: [y], feedKeys: [x]))
    }
}

/// DOT output of control flow: a loop drawn as a frame holding its condition and body.
final class GraphDOTControlFlowTests: XCTestCase {
    func testALoopIsDrawnAsAFrameWithItsConditionAndBody() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let out = powerLoop(g, x: x, a: a, n: g.constant(NDArray(4)))
        let grad = g.gradients(of: out[1].sum(), with: [a])[0]
        let dot = try g.dot(fetches: [grad])
        XCTAssertTrue(dot.contains("subgraph cluster_"), dot)
        XCTAssertTrue(dot.contains("label=\"while_loop 'while' (GraphDOTTests.swift:"), dot)
        XCTAssertTrue(dot.contains("label=\"condition\""), dot)
        XCTAssertTrue(dot.contains("label=\"body\""), dot)
        XCTAssertTrue(dot.contains("label=\"while_gradient 'gradients/while_grad'"), dot)
        XCTAssertTrue(dot.contains("label=\"next\""), dot)  // the body's results feed the next iteration
        XCTAssertTrue(dot.contains("while/body/mul"), dot)
        // Braces balance (every cluster closed) and the optimised drawing of the session's plan works too.
        XCTAssertEqual(dot.filter { $0 == "{" }.count, dot.filter { $0 == "}" }.count)
        let session = try Session(graph: g).dot(fetches: [grad], feedKeys: [x, a])
        XCTAssertTrue(session.contains("label=\"body\""), session)
    }

    func testCondBranchesAreDrawnAsClusters() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let y = g.cond(p, then: { [x.exp()] }, else: { [x.relu()] })[0]
        let dot = try g.dot(fetches: [y])
        XCTAssertTrue(dot.contains("label=\"then\"") && dot.contains("label=\"else\""), dot)
        XCTAssertTrue(dot.contains("cond/then/exp") && dot.contains("cond/else/relu"), dot)
        // With no fetches, every top-level sink is drawn; nodes inside branches are not sinks.
        XCTAssertTrue(try g.dot().contains("cond/then/exp"))
    }

    /// plannedKernels lists every kernel call of a training step, the variable updates included
    /// (plannedOps lists only the primitives): one update per variable, the weight's computing
    /// its gradient product itself.
    func testPlannedKernelsListTheUpdates() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let w = g.variable(NDArray(shape: [3, 4], scalars: (0..<12).map { Float($0) / 12 }), name: "w")
        let b = g.variable(NDArray(zeros: [3]), name: "b")
        let loss = linear(x, weight: w, bias: b).relu().sum()
        let train = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize(loss)
        let session = Session(graph: g)
        let kernels = try session.plannedKernels(fetches: [loss, train], feedKeys: [x])
        let ops = try session.plannedOps(fetches: [loss, train], feedKeys: [x])
        let updates = kernels.filter { $0.hasPrefix("Momentum_update") }
        XCTAssertEqual(updates.sorted(), ["Momentum_update", "Momentum_update(matmul)"], "\(kernels)")
        XCTAssertEqual(kernels.count, ops.count + updates.count, "\(kernels) vs \(ops)")
        XCTAssertEqual(kernels.filter { !$0.hasPrefix("Momentum_update") }, ops.map(\.name))
    }
}
