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

    /// The graph frontend's DOT for a loop has frames: the loop, its condition and body (inside
    /// the loop's frame), and next-iteration edges that the layout does not follow.
    func testLoopFramesParseFromTheGraphFrontendsDOT() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let out = g.whileLoop(
            condition: { v in v[0].less(g.constant(NDArray(3))) }, body: { v in [v[0] + 1, v[1] * 2] },
            loopVariables: [g.constant(NDArray(0)), x])
        let picture = GraphPicture(dot: try g.dot(fetches: [out[1]]))
        XCTAssertEqual(picture.clusters.map(\.label).count, 3)
        XCTAssertTrue(picture.clusters[0].label.hasPrefix("while_loop 'while'"), picture.clusters[0].label)
        XCTAssertEqual(picture.clusters[1], .init(label: "condition", parent: 0))
        XCTAssertEqual(picture.clusters[2], .init(label: "body", parent: 0))
        let body = picture.nodes.filter { $0.cluster == 2 }
        XCTAssertTrue(body.contains { $0.lines.first?.hasPrefix("mul_scalar") ?? false }, "\(body.map(\.lines))")
        XCTAssertEqual(body.map(\.loopInputs.count).reduce(0, +), 2)  // both results feed the next iteration
        XCTAssertEqual(picture.nodes.filter { $0.kind == .control }.count, 2)  // the loop node and its output
    }

    /// Frames are drawn around exactly their boxes and do not overlap their siblings.
    func testFramesEncloseTheirBoxes() throws {
        let picture = GraphPicture(nodes: [
            .init(lines: ["x"], inputs: [], kind: .input),
            .init(lines: ["loop"], inputs: [0], kind: .control),
            .init(lines: ["arg"], inputs: [0], kind: .input, cluster: 1),
            .init(lines: ["mul"], inputs: [2], kind: .op, cluster: 1, loopInputs: []),
            .init(lines: ["arg"], inputs: [0], kind: .input, cluster: 2),
            .init(lines: ["less"], inputs: [4], kind: .op, cluster: 2),
        ], clusters: [.init(label: "while", parent: nil), .init(label: "body", parent: 0), .init(label: "condition", parent: 0)])
        let svg = GraphLayout.svg(picture, title: "loop")
        func numbers(_ pattern: String) -> [[Double]] {
            let regex = try! NSRegularExpression(pattern: pattern)
            return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m in
                (1..<m.numberOfRanges).map { Double(svg[Range(m.range(at: $0), in: svg)!])! }
            }
        }
        let frames = numbers(#"<rect class="frame[^"]*" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)""#)
        let boxes = numbers(#"<g class="node [a-z]+"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)""#)
        XCTAssertEqual(frames.count, 3)
        XCTAssertEqual(boxes.count, 6)
        func inside(_ box: [Double], _ frame: [Double]) -> Bool {
            box[0] >= frame[0] && box[1] >= frame[1] && box[0] + box[2] <= frame[0] + frame[2] && box[1] + box[3] <= frame[1] + frame[3]
        }
        for (i, node) in picture.nodes.enumerated() {
            for (f, frame) in frames.enumerated() {
                let member = node.cluster.map { $0 == f || picture.clusters[$0].parent == f } ?? false
                XCTAssertEqual(inside(boxes[i], frame), member, "box \(i) and frame \(f)")
            }
        }
        let (body, condition) = (frames[1], frames[2])
        XCTAssertTrue(body[0] + body[2] <= condition[0] || condition[0] + condition[2] <= body[0], "sibling frames overlap")
        XCTAssertTrue(GraphLayout.standaloneSVG(picture, title: "loop").contains("<style>"))
    }
}
