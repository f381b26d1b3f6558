import XCTest
@testable import TandemCompare

final class GraphLayoutTests: XCTestCase {
    func testDOTParsingReadsLabelsEdgesAndKinds() {
        let picture = GraphPicture(dot: """
            digraph G {
              a [label="placeholder x\\n[?, 784]\\nMain.swift:3"];
              b [label="variable w\\n[512, 784]"];
              c [label="linear\\n[?, 512]\\nModel.swift:9"];
              a -> c;
              b -> c;
            }
            """)
        XCTAssertEqual(picture.nodes.count, 3)
        XCTAssertEqual(picture.nodes[2].lines, ["linear", "[?, 512]", "Model.swift:9"])
        XCTAssertEqual(picture.nodes[2].inputs, [0, 1])
        XCTAssertEqual(picture.nodes[0].kind, .input)
        XCTAssertEqual(picture.nodes[1].kind, .variable)
    }

    func testDepthIsTheLongestPathFromAnInput() {
        // 0 -> 1 -> 2, and 0 -> 2 directly: 2 sits below 1.
        let picture = GraphPicture(nodes: [
            .init(lines: ["x"], inputs: [], kind: .input),
            .init(lines: ["relu"], inputs: [0], kind: .op),
            .init(lines: ["add"], inputs: [0, 1], kind: .op),
        ])
        XCTAssertEqual(GraphLayout.depths(picture), [0, 1, 2])
        let svg = GraphLayout.svg(picture, title: "g")
        XCTAssertEqual(svg.components(separatedBy: "class=\"edge\"").count - 1, 3)
        XCTAssertEqual(svg.components(separatedBy: "<g class=\"node").count - 1, 3)
    }

    func testCyclesDoNotHang() {
        let picture = GraphPicture(nodes: [
            .init(lines: ["a"], inputs: [1], kind: .op), .init(lines: ["b"], inputs: [0], kind: .op),
        ])
        XCTAssertEqual(GraphLayout.depths(picture).count, 2)
    }

    /// The graph frontend's own DOT export parses into the picture the report draws.
    func testTheGraphFrontendsDOTParses() throws {
        let graph = Graph()
        let x = graph.placeholder(shape: [nil, 4], name: "x")
        let w = graph.variable(NDArray(zeros: [3, 4]), name: "w")
        let b = graph.variable(NDArray(zeros: [3]), name: "b")
        let y = linear(x, weight: w, bias: b).relu()
        let picture = GraphPicture(dot: try graph.dot(fetches: [y]))
        XCTAssertEqual(picture.nodes.count, 5)
        XCTAssertEqual(picture.nodes.filter { $0.kind == .input }.count, 1)
        XCTAssertEqual(picture.nodes.filter { $0.kind == .variable }.count, 2)
        // The linear node reads three inputs; relu reads one.
        XCTAssertEqual(picture.nodes.map(\.inputs.count).sorted(), [0, 0, 0, 1, 3])
        // Labels keep op, shape and the line that built the node (this file).
        XCTAssertTrue(picture.nodes.contains { $0.lines.contains { $0.hasPrefix("GraphLayoutTests.swift:") } })
        let optimized = GraphPicture(dot: try graph.dot(fetches: [y], optimized: true))
        XCTAssertLessThanOrEqual(optimized.nodes.count, picture.nodes.count)
    }
}
