import XCTest
@testable import TandemGraph

/// Nodes crossing graphs, and nodes outliving their graph: thrown errors naming the API and the
/// node, never an unowned-reference abort, an index out of range or another node's gradient.
final class NodeTests: XCTestCase {
    private func checkedError(_ body: () -> Void) -> TandemError? {
        do {
            try checked { body() }
            return nil
        } catch {
            return error as? TandemError
        }
    }

    /// A node whose graph has been released (nothing else holds the graph).
    private func orphan() -> Node {
        let g = Graph()
        return g.placeholder(shape: [2], name: "orphan").relu()
    }

    func testANodeDoesNotKeepItsGraphAliveAndUsingItAfterwardsThrows() throws {
        weak var released: Graph?
        let node: Node = {
            let g = Graph()
            released = g
            return g.placeholder(shape: [2], name: "x")
        }()
        XCTAssertNil(released, "a node holds its graph weakly (no reference cycle, no leak)")
        XCTAssertTrue(node.graphIsReleased)
        guard case .graph(let name, let reason, _)? = checkedError({ _ = node.relu() }) else {
            return XCTFail("building on a node of a released graph is not an error")
        }
        XCTAssertEqual(name, "x")
        XCTAssertTrue(reason.contains("released"), reason)
        let other = Graph()
        let session = Session(graph: other)
        XCTAssertThrowsError(try session.run(node)) { error in
            XCTAssertTrue("\(error)".contains("released"), "\(error)")
        }
        XCTAssertThrowsError(try session.run(other.constant(NDArray(1), name: "c"), feed: [node: NDArray(zeros: [2])]))
        XCTAssertNotNil(checkedError { _ = other.group([node]) })
        XCTAssertNotNil(checkedError { _ = other.gradients(of: node.sum(), with: [node]) })
    }

    func testNodesOfAnotherGraphAreErrorsNamingTheAPI() throws {
        let g = Graph(), h = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let w = g.variable(NDArray(ones: [2]), name: "w")
        let loss = (x * w).sum()
        let stranger = h.variable(NDArray(ones: [2]), name: "stranger")
        let strangerLoss = stranger.sum()

        // gradients(of:with:): a stranger as the loss or as a wanted node (an id of another graph).
        for (loss, wanted) in [(loss, [stranger]), (strangerLoss, [w])] {
            guard case .graph(_, let reason, let location)? = checkedError({ _ = g.gradients(of: loss, with: wanted) }) else {
                return XCTFail("gradients(of:with:) accepted a node of another graph")
            }
            XCTAssertTrue(reason.contains("gradients(of:with:)"), reason)
            XCTAssertEqual(location?.file, #fileID)
        }
        // group and print: the error names the API.
        guard case .graph(_, let groupReason, _)? = checkedError({ _ = g.group([loss, strangerLoss]) }) else {
            return XCTFail("group accepted a node of another graph")
        }
        XCTAssertTrue(groupReason.contains("group"), groupReason)
        guard case .graph(_, let printReason, _)? = checkedError({ _ = g.print(strangerLoss, message: "p") }) else {
            return XCTFail("print accepted a node of another graph")
        }
        XCTAssertTrue(printReason.contains("print"), printReason)
        // applyGradients with a gradient from another graph.
        let grads = g.gradients(of: loss, with: [w])
        guard case .graph(_, let applyReason, _)? = checkedError({
            _ = GradientDescentOptimizer(learningRate: 0.1).applyGradients([(gradient: h.constant(NDArray(ones: [2]), name: "g"), variable: w)])
        }) else { return XCTFail("applyGradients accepted a gradient of another graph") }
        XCTAssertTrue(applyReason.contains("applyGradients"), applyReason)
        XCTAssertNotNil(checkedError { _ = GradientDescentOptimizer(learningRate: 0.1).applyGradients([]) })
        // Session.run: a fetch or a feed of another graph.
        let session = Session(graph: g)
        XCTAssertThrowsError(try session.run(strangerLoss)) { XCTAssertTrue("\($0)".contains("Session.run"), "\($0)") }
        XCTAssertThrowsError(try session.run(grads[0], feed: [stranger: NDArray(ones: [2])]))
        // The graph still works for its own nodes.
        try session.run(g.initializeVariables())
        XCTAssertEqual(try session.run(grads[0], feed: [x: NDArray(shape: [2], scalars: [3, 4])]).scalars, [3, 4])
    }
}
