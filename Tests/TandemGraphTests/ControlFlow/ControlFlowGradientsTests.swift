import XCTest
@testable import TandemGraph

/// Gradients through `cond` and `whileLoop`, checked against closed forms and finite differences.
final class ControlFlowGradientsTests: XCTestCase {
    /// d/dx sum(x a^n) = a^n and d/da = n a^(n-1) sum(x), for trip counts fed at run time
    /// (including zero iterations, where d/da is 0).
    func testPowerLoopGradientsMatchTheClosedForm() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let n = g.placeholder(shape: [], name: "n")
        let out = powerLoop(g, x: x, a: a, n: n)
        let grads = g.gradients(of: out[1].sum(), with: [x, a])
        let session = Session(graph: g)
        let xs: [Float] = [1, 2, -0.5]
        for trips in [0, 1, 2, 5] {
            let r = try session.run(grads, feed: [x: NDArray(shape: [3], scalars: xs), a: NDArray(1.3), n: NDArray(Float(trips))])
            let aN = Float(pow(1.3, Double(trips)))
            assertClose(r[0].scalars, [aN, aN, aN], tolerance: 1e-5, "dx, n = \(trips)")
            let da = Float(trips) * Float(pow(1.3, Double(max(trips - 1, 0)))) * xs.reduce(0, +)
            assertClose(r[1].scalars, [trips == 0 ? 0 : da], tolerance: 1e-5, "da, n = \(trips)")
        }
    }

    func testMaximumIterationsBoundsTheGradientToo() throws {
        let g = Graph()
        let x = g.placeholder(shape: [], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let out = powerLoop(g, x: x, a: a, n: g.constant(NDArray(10)), maximumIterations: 4)
        let grads = g.gradients(of: out[1], with: [x, a])
        let r = try Session(graph: g).run(grads, feed: [x: NDArray(2), a: NDArray(3)])
        XCTAssertEqual(r[0].scalar, 81, accuracy: 1e-3)  // a^4
        XCTAssertEqual(r[1].scalar, 4 * 27 * 2, accuracy: 1e-3)  // 4 a^3 x
    }

    /// An RNN-like recurrence h <- tanh(h W + b), n times, against central finite differences of
    /// the forward graph, for the initial state and both captured parameters.
    func testRecurrenceGradientsMatchFiniteDifferences() throws {
        let values = [
            NDArray(shape: [2, 3], scalars: testValues(6, seed: 21)),
            NDArray(shape: [3, 3], scalars: testValues(9, seed: 22, low: -0.8, high: 0.8)),
            NDArray(shape: [3], scalars: testValues(3, seed: 23)),
        ]
        try checkGradients(values, tolerance: 1e-2, epsilon: 1e-2) { inputs in
            let g = inputs[0].graph
            return g.whileLoop(
                condition: { v in isLess(v[0], g.constant(NDArray(4))) },
                body: { v in [v[0] + 1, (v[1].matmul(inputs[1]) + inputs[2]).tanh()] },
                loopVariables: [g.constant(NDArray(0)), inputs[0]])[1]
        }
    }

    /// Cond gradients follow the branch taken: d/dx of (x², 3x + 1) is 2x or 3.
    func testCondGradientFollowsTheBranchTaken() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let y = g.cond(p, then: { [x * x] }, else: { [x * 3 + 1] })[0]
        let dx = g.gradients(of: y.sum(), with: [x])[0]
        let session = Session(graph: g)
        let xs = NDArray(shape: [3], scalars: [1, -2, 0.5])
        XCTAssertEqual(try session.run(dx, feed: [x: xs, p: NDArray(1)]).scalars, [2, -4, 1])
        XCTAssertEqual(try session.run(dx, feed: [x: xs, p: NDArray(0)]).scalars, [3, 3, 3])
    }

    /// A value used by one branch only gets zero gradient when the other branch runs.
    func testCapturedValueUsedByOneBranchGetsZeroFromTheOther() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let w = g.variable(NDArray(shape: [2], scalars: [3, 4]), name: "w")
        let p = g.placeholder(shape: [], name: "p")
        let y = g.cond(p, then: { [(w * x).sum()] }, else: { [x.sum()] })[0]
        let grads = g.gradients(of: y, with: [w, x])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let xs = NDArray(shape: [2], scalars: [5, 6])
        let taken = try session.run(grads, feed: [x: xs, p: NDArray(1)])
        XCTAssertEqual(taken.map(\.scalars), [[5, 6], [3, 4]])
        let other = try session.run(grads, feed: [x: xs, p: NDArray(0)])
        XCTAssertEqual(other.map(\.scalars), [[0, 0], [1, 1]])
    }

    func testCondGradientsMatchFiniteDifferencesInBothBranches() throws {
        for predicate: Float in [1, 0] {
            let values = [NDArray(shape: [2, 2], scalars: testValues(4, seed: 31)), NDArray(shape: [2], scalars: testValues(2, seed: 32))]
            try checkGradients(values) { inputs in
                let g = inputs[0].graph
                return g.cond(
                    g.constant(NDArray(predicate)),
                    then: { [(inputs[0] * inputs[1]).sigmoid()] },
                    else: { [inputs[0].matmul(inputs[0]) + inputs[1].exp()] })[0]
            }
        }
    }

    /// A cond inside a loop body, the branch chosen per iteration by a loop variable: the
    /// gradient loop runs each iteration's gradient cond down the branch that iteration took.
    func testCondInsideALoopBody() throws {
        let g = Graph()
        let x = g.placeholder(shape: [], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        // h <- (i < 2 ? h * a : h + a), four times: x a² + 2a.
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(4))) },
            body: { v in
                let h = g.cond(isLess(v[0], g.constant(NDArray(2))), then: { [v[1] * a] }, else: { [v[1] + a] })[0]
                return [v[0] + 1, h]
            },
            loopVariables: [g.constant(NDArray(0)), x])
        let grads = g.gradients(of: out[1], with: [x, a])
        let session = Session(graph: g)
        let (xv, av): (Float, Float) = (1.5, 2)
        let r = try session.run([out[1]] + grads, feed: [x: NDArray(xv), a: NDArray(av)])
        // x a² + 2a: d/dx = a²; d/da = 2 x a + 2.
        XCTAssertEqual(r[0].scalar, xv * av * av + 2 * av, accuracy: 1e-4)
        XCTAssertEqual(r[1].scalar, av * av, accuracy: 1e-4)
        XCTAssertEqual(r[2].scalar, 2 * xv * av + 2, accuracy: 1e-4)
    }

    func testLoopAndItsGradientRecordOnlyWhenAGradientReadsThem() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let out = powerLoop(g, x: x, a: a, n: g.constant(NDArray(3)))
        let dx = g.gradients(of: out[1].sum(), with: [x])[0]
        let da = g.gradients(of: out[1].sum(), with: [a])[0]
        let session = Session(graph: g)
        XCTAssertEqual(try controlFlowSteps(session, [out[1]], fed: [x, a]).map(\.records), [false])
        XCTAssertEqual(try controlFlowSteps(session, [out[1], dx], fed: [x, a]).map(\.records), [true, false])
        // Both gradient sub-graphs replay the body's x argument (d/da reads its value, d/dx
        // its shape, to sum a broadcast gradient back); the forward records it once.
        let body = g.subGraphs[1]
        let (forX, forA) = (g.subGraphs[2], g.subGraphs[3])
        XCTAssertTrue(forX.forward === body && forA.forward === body)
        XCTAssertEqual(forX.captures, [a])
        XCTAssertEqual(forA.saved, [body.arguments[1]])
        XCTAssertEqual(body.recordedNodes, [body.arguments[1]])
        XCTAssertEqual(try session.run(da, feed: [x: NDArray(shape: [3], scalars: [1, 1, 1]), a: NDArray(2)]).scalar, 3 * 4 * 3)
    }

    /// Training a weight used inside a loop with an optimizer: the graph's SGD steps match an
    /// eager Swift loop's (TandemEager) step for step.
    func testOptimizerTrainsAWeightUsedInsideALoop() throws {
        let wInit = NDArray(shape: [2, 2], scalars: [0.5, -0.3, 0.2, 0.8])
        let h0 = NDArray(shape: [1, 2], scalars: [1, -1])
        let g = Graph()
        let w = g.variable(wInit, name: "w")
        let h = g.placeholder(shape: [1, 2], name: "h")
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(3))) },
            body: { v in [v[0] + 1, v[1].matmul(w).tanh()] },
            loopVariables: [g.constant(NDArray(0)), h])
        let loss = (out[1] * out[1]).sum()
        let train = GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        var graphLosses: [Float] = []
        for _ in 0..<4 {
            graphLosses.append(try session.run([loss, train], feed: [h: h0])[0].scalar)
        }
        let eager = EagerReference.trainRecurrence(w: wInit, h0: h0, steps: 4, iterations: 3, lr: 0.1)
        assertClose(graphLosses, eager.losses, tolerance: 1e-5)
        assertClose(try session.value(of: w).scalars, eager.w.scalars, tolerance: 1e-5)
    }
}

/// Nested control flow beyond a cond inside a loop body: loops inside loops, conds inside conds.
final class NestedControlFlowGradientsTests: XCTestCase {
    /// x * a^(n m) by a loop of n iterations whose body is a loop of m iterations.
    func testLoopInsideALoop() throws {
        let g = Graph()
        let x = g.placeholder(shape: [], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(3))) },
            body: { v in [v[0] + 1, powerLoop(g, x: v[1], a: a, n: g.constant(NDArray(2)))[1]] },
            loopVariables: [g.constant(NDArray(0)), x])
        let grads = g.gradients(of: out[1], with: [x, a])
        let r = try Session(graph: g).run([out[1]] + grads, feed: [x: NDArray(1.5), a: NDArray(1.2)])
        let a6 = Float(pow(1.2, 6.0))
        XCTAssertEqual(r[0].scalar, 1.5 * a6, accuracy: 1e-4)
        XCTAssertEqual(r[1].scalar, a6, accuracy: 1e-4)
        XCTAssertEqual(r[2].scalar, 6 * Float(pow(1.2, 5.0)) * 1.5, accuracy: 1e-3)
    }

    /// A loop inside a cond branch: the cond's record holds the loop's record when that branch ran.
    func testLoopInsideACondBranch() throws {
        let g = Graph()
        let x = g.placeholder(shape: [], name: "x"), a = g.placeholder(shape: [], name: "a")
        let p = g.placeholder(shape: [], name: "p")
        let y = g.cond(p, then: { [powerLoop(g, x: x, a: a, n: g.constant(NDArray(3)))[1]] }, else: { [x * x] })[0]
        let grads = g.gradients(of: y, with: [x, a])
        let session = Session(graph: g)
        let then = try session.run(grads, feed: [x: NDArray(2), a: NDArray(1.5), p: NDArray(1)])
        XCTAssertEqual(then[0].scalar, 3.375, accuracy: 1e-5)  // a^3
        XCTAssertEqual(then[1].scalar, 3 * 2.25 * 2, accuracy: 1e-4)  // 3 a^2 x
        let other = try session.run(grads, feed: [x: NDArray(2), a: NDArray(1.5), p: NDArray(0)])
        XCTAssertEqual(other.map(\.scalar), [4, 0])
    }

    func testCondInsideACondAgreesWithFiniteDifferences() throws {
        for (p, q) in [(1, 1), (1, 0), (0, 1)] as [(Float, Float)] {
            let values = [NDArray(shape: [3], scalars: testValues(3, seed: 61)), NDArray(shape: [3], scalars: testValues(3, seed: 62))]
            try checkGradients(values) { inputs in
                let g = inputs[0].graph
                let (u, v) = (inputs[0], inputs[1])
                return g.cond(
                    g.constant(NDArray(p)),
                    then: { g.cond(g.constant(NDArray(q)), then: { [(u * v).tanh()] }, else: { [u.exp() + v] }) },
                    else: { [u * u * v] })[0]
            }
        }
    }

    func testCondInsideALoopAgreesWithFiniteDifferences() throws {
        let values = [NDArray(shape: [2, 2], scalars: testValues(4, seed: 71)), NDArray(shape: [2, 2], scalars: testValues(4, seed: 72, low: -0.6, high: 0.6))]
        try checkGradients(values) { inputs in
            let g = inputs[0].graph
            let w = inputs[1]
            return g.whileLoop(
                condition: { v in isLess(v[0], g.constant(NDArray(4))) },
                body: { v in
                    // The branch depends on the data: the sign of the state's sum each iteration.
                    let next = g.cond(v[1].sum().relu(), then: { [v[1].matmul(w).tanh()] }, else: { [(v[1] + w).sigmoid()] })[0]
                    return [v[0] + 1, next]
                },
                loopVariables: [g.constant(NDArray(0)), inputs[0]])[1]
        }
    }
}
