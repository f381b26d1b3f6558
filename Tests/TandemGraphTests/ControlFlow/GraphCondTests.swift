import XCTest
@testable import TandemGraph

/// `cond`: the selected branch's values, only that branch runs, shapes merged across branches,
/// and the errors for predicates and branches that do not fit.
final class GraphCondTests: XCTestCase {
    private func piecewise() -> (Graph, x: Node, p: Node, y: Node) {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let y = g.cond(p, then: { [x * x] }, else: { [x * 3 + 1] })[0]
        return (g, x, p, y)
    }

    func testNonzeroSelectsThenAndZeroSelectsElse() throws {
        let (g, x, p, y) = piecewise()
        let session = Session(graph: g)
        let xs = NDArray(shape: [3], scalars: [1, 2, -3])
        XCTAssertEqual(try session.run(y, feed: [x: xs, p: NDArray(1)]).scalars, [1, 4, 9])
        XCTAssertEqual(try session.run(y, feed: [x: xs, p: NDArray(-0.5)]).scalars, [1, 4, 9])  // nonzero: true
        XCTAssertEqual(try session.run(y, feed: [x: xs, p: NDArray(0)]).scalars, [4, 7, -8])
    }

    /// A branch with an op that fails at run time (a reshape that does not fit) must not fail
    /// the run when it is not taken: only the selected branch runs.
    func testOnlyTheTakenBranchRuns() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let y = g.cond(p, then: { [x.reshape([2, 2]).sum(dim: 1)] }, else: { [x * 2] })[0]
        let session = Session(graph: g)
        let six = NDArray(shape: [6], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try session.run(y, feed: [x: six, p: NDArray(0)]).scalars, [2, 4, 6, 8, 10, 12])
        let message = errorMessage { try session.run(y, feed: [x: six, p: NDArray(1)]) }
        XCTAssertTrue(message?.contains("reshape") ?? false, message ?? "the then branch ran without error")
        XCTAssertTrue(message?.contains("then branch of cond 'cond'") ?? false, message ?? "")
        // A print in the branch not taken prints nothing: its node never runs.
        let printed = g.cond(p, then: { [g.print(x, message: "then ran: ")] }, else: { [x] })[0]
        let out = try session.run(printed, feed: [x: six, p: NDArray(0)])
        XCTAssertEqual(out.scalars, six.scalars)
    }

    func testBranchesMayReturnOuterNodesAndCapturesAreShared() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let w = g.variable(NDArray(shape: [2], scalars: [10, 20]), name: "w")
        let p = g.placeholder(shape: [], name: "p")
        let out = g.cond(p, then: { [x, w * x] }, else: { [w, x + w] })
        let condNode = out[0].inputs[0]
        XCTAssertEqual(condNode.inputs.count, 3)  // the predicate, then each capture once
        XCTAssertEqual(Set(condNode.inputs.dropFirst()), [x, w])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let feed = NDArray(shape: [2], scalars: [1, 2])
        XCTAssertEqual(try session.run(out, feed: [x: feed, p: NDArray(1)]).map(\.scalars), [[1, 2], [10, 40]])
        XCTAssertEqual(try session.run(out, feed: [x: feed, p: NDArray(0)]).map(\.scalars), [[10, 20], [11, 22]])
    }

    func testOutputShapesMergeAcrossBranches() throws {
        let g = Graph()
        let a = g.placeholder(shape: [2, 3], name: "a")
        let b = g.placeholder(shape: [4, 3], name: "b")
        let p = g.placeholder(shape: [], name: "p")
        let out = g.cond(p, then: { [a, a.sum()] }, else: { [b, b.sum()] })
        XCTAssertEqual(out[0].shape, [nil, 3])
        XCTAssertEqual(out[1].shape, [])
        let session = Session(graph: g)
        let r = try session.run(out[0], feed: [a: NDArray(zeros: [2, 3]), b: NDArray(ones: [4, 3]), p: NDArray(0)])
        XCTAssertEqual(r.shape, [4, 3])
    }

    func testThePredicateMustBeRankZero() {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let line = #line + 1
        let message = errorMessage { try checked { _ = g.cond(x, then: { [x] }, else: { [-x] }) } }
        XCTAssertTrue(message?.contains("must be a rank-0 value") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("GraphCondTests.swift:\(line)") ?? false, message ?? "")
    }

    func testBranchesMustAgreeOnCountAndRank() {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let count = errorMessage { try checked { _ = g.cond(p, then: { [x, x] }, else: { [x] }) } }
        XCTAssertTrue(count?.contains("returns 2 values but the else branch returns 1") ?? false, count ?? "no error")
        let rank = errorMessage { try checked { _ = g.cond(p, then: { [x] }, else: { [x.sum()] }) } }
        XCTAssertTrue(rank?.contains("value 0 has rank 1 in the then branch") ?? false, rank ?? "no error")
    }

    func testAShapeErrorInsideABranchNamesItsLine() {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let line = #line + 1
        let message = errorMessage { try checked { _ = g.cond(p, then: { [x.matmul(x.reshape([1, 3]))] }, else: { [x] }) } }
        XCTAssertTrue(message?.contains("matmul") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("GraphCondTests.swift:\(line)") ?? false, message ?? "")
    }

    func testNestedCondsSelectByBothPredicates() throws {
        let g = Graph()
        let x = g.placeholder(shape: [], name: "x")
        let p = g.placeholder(shape: [], name: "p")
        let q = g.placeholder(shape: [], name: "q")
        let y = g.cond(p, then: { g.cond(q, then: { [x + 1] }, else: { [x + 2] }) }, else: { [x + 3] })[0]
        let session = Session(graph: g)
        for (pv, qv, expected) in [(1, 1, 11), (1, 0, 12), (0, 1, 13), (0, 0, 13)] as [(Float, Float, Float)] {
            XCTAssertEqual(try session.run(y, feed: [x: NDArray(10), p: NDArray(pv), q: NDArray(qv)]).scalar, expected)
        }
    }
}

/// Reading a node's value while building: the graph has none yet; the error points at `cond`.
final class NodeBuildTimeValueTests: XCTestCase {
    func testItemOnANodeIsAnErrorPointingAtCond() {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let mean = x.mean()
        let line = #line + 1
        let message = errorMessage { try checked { if mean.item() > 0 { _ = x * 2 } } }
        let text = message ?? ""
        XCTAssertTrue(text.contains("node 'mean'") && text.contains("no value while the graph is being built"), text)
        XCTAssertTrue(text.contains("graph.cond"), text)
        XCTAssertTrue(text.contains("GraphCondTests.swift:\(line)"), text)
    }
}
