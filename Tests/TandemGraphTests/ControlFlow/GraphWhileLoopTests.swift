import XCTest
@testable import TandemGraph

/// `whileLoop`: trip counts from fed values, `maximumIterations`, captures, shape rules with
/// unknown dimensions, and the errors for a loop variable whose shape changes.
final class GraphWhileLoopTests: XCTestCase {
    func testPowerLoopComputesXTimesAToTheNWithNFedAtRunTime() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let n = g.placeholder(shape: [], name: "n")
        let out = powerLoop(g, x: x, a: a, n: n)
        XCTAssertEqual(out[1].shape, [nil])
        let session = Session(graph: g)
        let xs: [Float] = [1, -2, 0.5]
        // The same graph runs 0, 1, 4 and 7 iterations: the trip count is a fed value.
        for trips in [0, 1, 4, 7] {
            let r = try session.run(out, feed: [x: NDArray(shape: [3], scalars: xs), a: NDArray(1.5), n: NDArray(Float(trips))])
            XCTAssertEqual(r[0].scalars, [Float(trips)])
            assertClose(r[1].scalars, xs.map { $0 * Float(pow(1.5, Double(trips))) })
        }
    }

    func testMaximumIterationsStopsTheLoopEarly() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let n = g.placeholder(shape: [], name: "n")
        let out = powerLoop(g, x: x, a: g.constant(NDArray(2)), n: n, maximumIterations: 3)
        let session = Session(graph: g)
        let feedX = NDArray(shape: [2], scalars: [1, 3])
        let capped = try session.run(out, feed: [x: feedX, n: NDArray(10)])
        XCTAssertEqual(capped[0].scalars, [3])
        XCTAssertEqual(capped[1].scalars, [8, 24])
        let short = try session.run(out, feed: [x: feedX, n: NDArray(2)])
        XCTAssertEqual(short[0].scalars, [2])
        XCTAssertEqual(short[1].scalars, [4, 12])
    }

    func testZeroMaximumIterationsReturnsTheInitialValues() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let out = powerLoop(g, x: x, a: g.constant(NDArray(2)), n: g.constant(NDArray(5)), maximumIterations: 0)
        XCTAssertEqual(try Session(graph: g).run(out[1], feed: [x: NDArray(shape: [2], scalars: [1, 3])]).scalars, [1, 3])
    }

    /// A loop that runs until a value converges (Newton's square root): the trip count depends on
    /// the data, not on a counter.
    func testDataDependentTripCount() throws {
        let g = Graph()
        let s = g.placeholder(shape: [], name: "s")
        let out = g.whileLoop(
            condition: { v in (v[0] * v[0] - s).abs().greater(g.constant(NDArray(1e-4))) },
            body: { v in [(v[0] + s / v[0]) * 0.5, v[1] + 1] },
            loopVariables: [s, g.constant(NDArray(0))])
        let session = Session(graph: g)
        let r = try session.run(out, feed: [s: NDArray(2)])
        XCTAssertEqual(r[0].scalar, Float(2).squareRoot(), accuracy: 1e-4)
        XCTAssertGreaterThan(r[1].scalar, 1)
        let big = try session.run(out, feed: [s: NDArray(1e6)])
        XCTAssertEqual(big[0].scalar, 1000, accuracy: 1e-2)
        XCTAssertGreaterThan(big[1].scalar, r[1].scalar)  // a larger start needs more iterations
    }

    func testCapturesOfTheEnclosingGraphAreReadInsideTheBody() throws {
        let g = Graph()
        let w = g.variable(NDArray(shape: [2, 2], scalars: [0, 1, 1, 0]), name: "w")
        let h0 = g.placeholder(shape: [1, 2], name: "h0")
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(3))) },
            body: { v in [v[0] + 1, v[1].matmul(w) + 1] },
            loopVariables: [g.constant(NDArray(0)), h0])
        XCTAssertEqual(g.subGraphs.map(\.role), [.condition, .body])
        XCTAssertTrue(g.subGraphs[1].captures.contains(w))
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        // h -> swap(h) + 1, three times, from [1, 2]: [3, 2], [3, 4], [5, 4].
        XCTAssertEqual(try session.run(out[1], feed: [h0: NDArray(shape: [1, 2], scalars: [1, 2])]).scalars, [5, 4])
    }

    func testUnknownDimensionsStayUnknownAndRefineFromTheBody() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let h = g.placeholder(shape: [2, nil], name: "h")
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(2))) },
            body: { v in [v[0] + 1, v[1] * 2, v[2].reshape([2, 3])] },
            loopVariables: [g.constant(NDArray(0)), x, h])
        XCTAssertEqual(out[1].shape, [nil, 3])
        XCTAssertEqual(out[2].shape, [2, 3])  // the body's result fixes the unknown dim
    }

    func testStaticShapeChangeIsReportedAtBuildTimeNamingTheLoopVariableAndLines() {
        let g = Graph()
        let h = g.placeholder(shape: [2, 3], name: "h")
        let w = g.variable(NDArray(zeros: [3, 4]), name: "w")
        let loopLine = #line + 4
        let bodyLine = #line + 6
        let message = errorMessage {
            try checked {
                _ = g.whileLoop(
                    condition: { v in isLess(v[0], g.constant(NDArray(3))) },
                    body: { v in [v[0] + 1,
                                  v[1].matmul(w)] },
                    loopVariables: [g.constant(NDArray(0)), h])
            }
        }
        XCTAssertNotNil(message)
        let text = message ?? ""
        XCTAssertTrue(text.contains("loop variable 1 ('h'"), text)
        XCTAssertTrue(text.contains("[2, 3]") && text.contains("[2, 4]"), text)
        XCTAssertTrue(text.contains("GraphWhileLoopTests.swift:\(loopLine)"), text)
        XCTAssertTrue(text.contains("GraphWhileLoopTests.swift:\(bodyLine)"), text)
    }

    func testRunTimeShapeChangeIsReportedByTheRunNamingTheLoopVariable() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil], name: "x")
        let loopLine = #line + 1
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(3))) },
            body: { v in [v[0] + 1, v[1].reshape([-1, 2]).sum(dim: 1)] },  // halves the length
            loopVariables: [g.constant(NDArray(0)), x])
        XCTAssertEqual(out[1].shape, [nil])  // statically it could keep its shape
        let session = Session(graph: g)
        let message = errorMessage { try session.run(out[1], feed: [x: NDArray(shape: [8], scalars: Array(repeating: 1, count: 8))]) }
        let text = message ?? ""
        XCTAssertTrue(text.contains("loop variable 1 ('x'"), text)
        XCTAssertTrue(text.contains("from [8] to [4] in iteration 0"), text)
        XCTAssertTrue(text.contains("GraphWhileLoopTests.swift:\(loopLine)"), text)
        XCTAssertTrue(text.contains("GraphWhileLoopTests.swift:\(loopLine + 2)"), text)  // the body's line
    }

    func testConditionMustBeRankZero() {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let message = errorMessage {
            try checked { _ = g.whileLoop(condition: { v in v[0] }, body: { v in [v[0] * 2] }, loopVariables: [x]) }
        }
        XCTAssertTrue(message?.contains("rank-0") ?? false, message ?? "no error")
    }

    func testBodyMustReturnOneValuePerLoopVariable() {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let message = errorMessage {
            try checked {
                _ = g.whileLoop(condition: { v in v[0].sum() }, body: { v in [v[0], v[0]] }, loopVariables: [x])
            }
        }
        XCTAssertTrue(message?.contains("returns 2 values for 1 loop variables") ?? false, message ?? "no error")
    }

    func testABodyValueIsNotVisibleOutsideTheLoop() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        var inside: Node?
        _ = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(3))) },
            body: { v in
                inside = v[1] * 2
                return [v[0] + 1, inside!]
            },
            loopVariables: [g.constant(NDArray(0)), x])
        let line = #line + 1
        let message = errorMessage { try checked { _ = inside!.exp() } }
        XCTAssertTrue(message?.contains("built inside the body of while_loop 'while'") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("GraphWhileLoopTests.swift:\(line)") ?? false, message ?? "no error")
        // Fetching it is refused too: it has a value only while the body runs.
        let fetch = errorMessage { try Session(graph: g).run(inside!, feed: [x: NDArray(zeros: [3])]) }
        XCTAssertTrue(fetch?.contains("cannot be fetched") ?? false, fetch ?? "no error")
    }

    func testATrainOpCannotBeBuiltInsideABody() {
        let g = Graph()
        let w = g.variable(NDArray(1), name: "w")
        let message = errorMessage {
            try checked {
                _ = g.whileLoop(
                    condition: { v in isLess(v[0], g.constant(NDArray(3))) },
                    body: { v in
                        _ = GradientDescentOptimizer(learningRate: 0.1).minimize((w * v[0]).sum())
                        return [v[0] + 1]
                    },
                    loopVariables: [g.constant(NDArray(0))])
            }
        }
        XCTAssertTrue(message?.contains("train op cannot be built inside the body") ?? false, message ?? "no error")
    }

    func testAnErrorInsideTheBodyNamesTheBodyLineAndTheIteration() throws {
        let g = Graph()
        let labels = g.placeholder(shape: [nil], name: "labels")
        let logits = g.placeholder(shape: [2, 3], name: "logits")
        let line = #line + 3
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(2))) },
            body: { v in [v[0] + 1, v[1] + crossEntropy(logits, labels + v[0])] },
            loopVariables: [g.constant(NDArray(0)), g.constant(NDArray(0))])
        // Labels 1 and 2 are fine in iteration 0; in iteration 1 they become 2 and 3 (out of range).
        let message = errorMessage { try Session(graph: g).run(out[1], feed: [labels: NDArray(shape: [2], scalars: [1, 2]), logits: NDArray(zeros: [2, 3])]) }
        let text = message ?? ""
        XCTAssertTrue(text.contains("GraphWhileLoopTests.swift:\(line)"), text)
        XCTAssertTrue(text.contains("in iteration 1"), text)
    }
}
