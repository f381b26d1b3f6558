import XCTest
@testable import TandemGraph

final class SessionTests: XCTestCase {
    func testAPIExample() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let w = g.variable(NDArray(shape: [3, 1], scalars: [1, 2, 3]), name: "w")
        let loss = x.matmul(w).sum()
        let grads = g.gradients(of: loss, with: [w])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let out = try session.run([loss, grads[0]], feed: [x: NDArray(shape: [2, 3], scalars: [1, 1, 1, 2, 2, 2])])
        XCTAssertEqual(out[0].scalars, [18])
        // d/dw sum(x w) = column sums of x.
        XCTAssertEqual(out[1].scalars, [3, 3, 3])
        XCTAssertEqual(out[1].shape, [3, 1])
    }

    func testStaticShapesNamesAndLocations() {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let y = x.relu()
        let line = #line - 1
        XCTAssertEqual(y.shape, [nil, 4])
        XCTAssertEqual(x.matmul(g.constant(NDArray(zeros: [4, 2]))).shape, [nil, 2])
        XCTAssertEqual(x.sum(dim: 1).shape, [nil])
        XCTAssertEqual(y.location?.line, line)
        XCTAssertEqual(y.name, "relu")
        XCTAssertEqual(x.relu().name, "relu_1")
        XCTAssertEqual(g.placeholder(shape: [1], name: "x").name, "x_1")
        XCTAssertTrue(g.node(named: "relu_1") != nil)
        XCTAssertNil((x + x).location)
    }

    func testShapeErrorIsReportedAtTheBuildingLine() {
        let g = Graph()
        let a = g.placeholder(shape: [nil, 3], name: "a")
        let b = g.constant(NDArray(zeros: [4, 5]))
        let message = errorMessage {
            try checked { _ = a.matmul(b) }
        }
        let line = #line - 2
        XCTAssertNotNil(message)
        XCTAssertTrue(message!.contains("matmul"), message!)
        XCTAssertTrue(message!.contains("[?, 3]") && message!.contains("[4, 5]"), message!)
        XCTAssertTrue(message!.contains("SessionTests.swift:\(line)"), message!)
    }

    func testRunOfPoisonedNodeThrowsItsShapeError() throws {
        let g = Graph()
        let a = g.placeholder(shape: [2, 3], name: "a")
        var bad: Node!
        _ = try? checked { bad = a.matmul(a).relu() }
        let message = errorMessage { try Session(graph: g).run(bad, feed: [a: NDArray(zeros: [2, 3])]) }
        XCTAssertTrue(message?.contains("inner dimensions differ") ?? false, message ?? "no error")
    }

    func testMissingFeedNamesThePlaceholderAndItsLine() {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "images")
        let line = #line - 1
        let y = x.relu()
        let message = errorMessage { try Session(graph: g).run(y) }
        XCTAssertNotNil(message)
        XCTAssertTrue(message!.contains("'images'"), message!)
        XCTAssertTrue(message!.contains("feed"), message!)
        XCTAssertTrue(message!.contains("SessionTests.swift:\(line)"), message!)
    }

    func testWrongFeedShapeNamesThePlaceholderAndShapes() {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let line = #line - 1
        let message = errorMessage { try Session(graph: g).run(x.relu(), feed: [x: NDArray(zeros: [2, 4])]) }
        XCTAssertNotNil(message)
        XCTAssertTrue(message!.contains("'x'") && message!.contains("[2, 4]") && message!.contains("[?, 3]"), message!)
        XCTAssertTrue(message!.contains("SessionTests.swift:\(line)"), message!)
    }

    func testUninitializedVariableNamesTheVariableAndItsLine() {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "weights")
        let line = #line - 1
        let message = errorMessage { try Session(graph: g).run(w * 2) }
        XCTAssertNotNil(message)
        XCTAssertTrue(message!.contains("'weights'") && message!.contains("not initialised"), message!)
        XCTAssertTrue(message!.contains("SessionTests.swift:\(line)"), message!)
    }

    func testCheckNumericsNamesTheNodeOpAndLine() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let y = x.log()
        let line = #line - 1
        let z = y.relu()
        let feed = [x: NDArray(shape: [2], scalars: [1, -1])]
        // Without the mode, the NaN flows through silently.
        XCTAssertTrue(try Session(graph: g).run(z, feed: feed).scalars[1].isNaN)
        let session = Session(graph: g, options: .init(checkNumerics: true))
        let message = errorMessage { try session.run(z, feed: feed) }
        XCTAssertNotNil(message)
        XCTAssertTrue(message!.contains("'\(y.name)'") && message!.contains("log") && message!.contains("NaN"), message!)
        XCTAssertTrue(message!.contains("SessionTests.swift:\(line)"), message!)
    }

    func testRunTimeShapeErrorNamesNodeAndLine() {
        let g = Graph()
        let a = g.placeholder(shape: [nil, 3], name: "a")
        let b = g.placeholder(shape: [nil, 3], name: "b")
        let c = a.adding(b)
        let line = #line - 1
        let message = errorMessage {
            try Session(graph: g).run(c, feed: [a: NDArray(zeros: [2, 3]), b: NDArray(zeros: [4, 3])])
        }
        XCTAssertNotNil(message)
        XCTAssertTrue(message!.contains("'\(c.name)'") && message!.contains("broadcast"), message!)
        XCTAssertTrue(message!.contains("SessionTests.swift:\(line)"), message!)
    }

    func testOperatorBuiltNodeErrorPointsAtNearestLine() {
        let g = Graph()
        let a = g.placeholder(shape: [nil, 3], name: "a")
        let b = g.placeholder(shape: [nil, 3], name: "b")
        let c = a + b
        let message = errorMessage {
            try Session(graph: g).run(c, feed: [a: NDArray(zeros: [2, 3]), b: NDArray(zeros: [4, 3])])
        }
        XCTAssertTrue(message?.contains("built by an operator") ?? false, message ?? "no error")
    }

    func testFractionalLabelIsARunTimeError() {
        let g = Graph()
        let logits = g.placeholder(shape: [nil, 3], name: "logits")
        let labels = g.labelsPlaceholder(name: "labels")
        let loss = crossEntropy(logits, labels)
        let message = errorMessage {
            try Session(graph: g).run(loss, feed: [logits: NDArray(zeros: [2, 3]), labels: NDArray(shape: [2], scalars: [0, 1.5])])
        }
        XCTAssertTrue(message?.contains("'labels'") ?? false, message ?? "no error")
        let outOfRange = errorMessage {
            try Session(graph: g).run(loss, feed: [logits: NDArray(zeros: [2, 3]), labels: NDArray(shape: [2], scalars: [0, 7])])
        }
        XCTAssertNotNil(outOfRange)
    }

    func testOnlyTheNeededSubgraphRuns() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let unfed = g.placeholder(shape: [2], name: "unfed")
        let used = x * 2
        _ = unfed + x  // would fail for the missing feed if it ran
        XCTAssertEqual(try Session(graph: g).run(used, feed: [x: NDArray(shape: [2], scalars: [1, 2])]).scalars, [2, 4])
    }

    func testFetchAnyIntermediateAndFeedAnyNode() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let h = x.exp()
        let y = h.sum()
        let session = Session(graph: g)
        let out = try session.run([h, y], feed: [x: NDArray(shape: [3], scalars: [0, 1, 2])])
        assertClose(out[0].scalars, [1, Float(M_E), Float(M_E * M_E)])
        assertClose(out[1].scalars, [Float(1 + M_E + M_E * M_E)])
        // Feeding an intermediate overrides it (its inputs are then not needed).
        XCTAssertEqual(try session.run(y, feed: [h: NDArray(shape: [3], scalars: [1, 2, 3])]).scalars, [6])
    }

    func testPrintNodeIsIdentity() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let y = g.print(x * 3, message: "debug: ").sum()
        XCTAssertEqual(try Session(graph: g).run(y, feed: [x: NDArray(shape: [2], scalars: [1, 2])]).scalars, [9])
        let grad = g.gradients(of: y, with: [x])[0]
        XCTAssertEqual(try Session(graph: g).run(grad, feed: [x: NDArray(shape: [2], scalars: [1, 2])]).scalars, [3, 3])
    }

    func testPrintNodeOffTheFetchPathIsReportedOnce() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let h = x * 3
        let printLine = #line + 1
        _ = g.print(h, message: "h: ")
        let y = h.sum()
        let unrelated = x.sum()
        let session = Session(graph: g)
        let feed = [x: NDArray(shape: [2], scalars: [1, 2])]
        try session.run(unrelated, feed: feed)
        XCTAssertEqual(g.warnings, [], "a run that does not compute the printed value says nothing")
        try session.run(y, feed: feed)
        XCTAssertEqual(g.warnings.count, 1)
        XCTAssertTrue(g.warnings[0].contains("SessionTests.swift:\(printLine)"), g.warnings[0])
        XCTAssertTrue(g.warnings[0].contains("prints nothing"), g.warnings[0])
        try session.run([y, h], feed: feed)
        XCTAssertEqual(g.warnings.count, 1, "each print node is reported once")
    }

    func testIdentityNamesANodeForFetchAndFeedAtNoCost() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let logits = g.identity(x * 2 + 1, name: "logits")
        let y = logits.sum()
        XCTAssertEqual(logits.name, "logits")
        XCTAssertEqual(logits.shape, [nil, 2])
        XCTAssertTrue(g.node(named: "logits") === logits)
        let session = Session(graph: g)
        let feed = [x: NDArray(shape: [1, 2], scalars: [1, 2])]
        XCTAssertEqual(try session.run(g.node(named: "logits")!, feed: feed).scalars, [3, 5])
        XCTAssertEqual(try session.run(y, feed: feed).scalars, [8])
        XCTAssertEqual(
            try session.plannedOps(fetches: [y], feedKeys: [x]), [.fusedElementwise([.mulScalar(2), .addScalar(1)]), .sum(dim: nil, keepDim: false)],
            "no step for the identity, which does not even stand in the way of fusion")
        // Fed by name, it overrides what it would compute.
        XCTAssertEqual(try session.run(y, feed: [logits: NDArray(shape: [1, 2], scalars: [10, 20])]).scalars, [30])
        // The gradient passes through unchanged.
        XCTAssertEqual(try session.run(g.gradients(of: y, with: [x])[0], feed: feed).scalars, [2, 2])
    }

    func testInitializeVariablesIsIdempotentWhileTheVariablesAreUnchanged() throws {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "w")
        let first = g.initializeVariables()
        let session = Session(graph: g)
        try session.run(first)
        XCTAssertTrue(g.initializeVariables() === first, "a second session's init is the same node")
        try Session(graph: g).run(g.initializeVariables())
        XCTAssertTrue(g.warnings.isEmpty, "\(g.warnings)")
        // A new variable needs a new initializer (one that covers it).
        let v = g.variable(NDArray(zeros: [1]), name: "v")
        let second = g.initializeVariables()
        XCTAssertFalse(second === first)
        try session.run(second)
        XCTAssertEqual(try session.value(of: v).scalars, [0])
        XCTAssertEqual(try session.value(of: w).scalars, [1, 1])
    }

    func testUnusedVariableGetsZeroGradientAndWarning() throws {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "used")
        let unused = g.variable(NDArray(ones: [3]), name: "unused")
        let line = #line - 1
        let grads = g.gradients(of: (w * w).sum(), with: [w, unused])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let out = try session.run(grads)
        XCTAssertEqual(out[0].scalars, [2, 2])
        XCTAssertEqual(out[1].scalars, [0, 0, 0])
        XCTAssertEqual(g.warnings.count, 1)
        XCTAssertTrue(g.warnings[0].contains("'unused'") && g.warnings[0].contains("SessionTests.swift:\(line)"), g.warnings[0])
    }

    func testFinalizedGraphRejectsNewNodes() {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        g.finalize()
        let message = errorMessage { try checked { _ = x.relu() } }
        XCTAssertTrue(message?.contains("finalized") ?? false, message ?? "no error")
    }

    func testGrowthAfterFirstRunWarns() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let session = Session(graph: g)
        try session.run(x.relu(), feed: [x: NDArray(zeros: [2])])
        XCTAssertTrue(g.warnings.isEmpty)
        _ = x.exp()
        XCTAssertEqual(g.warnings.count, 1)
        XCTAssertTrue(g.warnings[0].contains("after the graph first ran"), g.warnings[0])
    }

    func testVariablesLiveInTheSession() throws {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "w")
        let a = Session(graph: g), b = Session(graph: g)
        try a.run(g.initializeVariables())
        try b.run(g.initializeVariables())
        try a.assign(NDArray(shape: [2], scalars: [5, 6]), to: w)
        XCTAssertEqual(try a.run(w).scalars, [5, 6])
        XCTAssertEqual(try b.run(w).scalars, [1, 1])
        XCTAssertThrowsError(try a.assign(NDArray(zeros: [3]), to: w))
    }
}
