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
