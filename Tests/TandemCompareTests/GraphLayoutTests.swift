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
}
