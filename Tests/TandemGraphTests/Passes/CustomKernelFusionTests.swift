import XCTest

@testable import TandemGraph

/// `CustomKernelFusion`: custom nodes of one fusion key run as one kernel call on their inputs
/// packed together, with the values of the unfused run, within the byte threshold, and never
/// when a member's value is needed before the last member is ready.
final class CustomKernelFusionTests: XCTestCase {
    private struct Model {
        let graph: Graph
        let inputs: [Node]
        let outputs: [Node]
        let total: Node
        let feed: [Node: NDArray]
    }

    /// Three inputs of 2, 6 and 4 elements, each scaled by one kernel, then summed with weights.
    private func model(_ kernel: ScaleKernel, chained: Bool = false) -> Model {
        let g = Graph()
        let shapes = [[2], [3, 2], [4]]
        let inputs = shapes.enumerated().map { g.placeholder(shape: $1.map { Optional($0) }, name: "x\($0)") }
        var outputs: [Node] = []
        for (i, x) in inputs.enumerated() {
            // Chained: the second input also depends on the first output, read before the second call.
            let source = chained && i == 1 ? x * outputs[0].sum() : x
            outputs.append(g.custom(kernel, [source], name: "scaled"))
        }
        let total = outputs.enumerated().map { i, y in y.sum() * Float(i + 1) }.reduce(g.constant(NDArray(0))) { $0 + $1 }
        var feed: [Node: NDArray] = [:]
        for (i, (x, shape)) in zip(inputs, shapes).enumerated() {
            feed[x] = NDArray(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 + 1) * Float(i + 1) })
        }
        return Model(graph: g, inputs: inputs, outputs: outputs, total: total, feed: feed)
    }

    private func run(_ m: Model, fusion: Bool) throws -> [NDArray] {
        let session = Session(graph: m.graph, options: Session.Options(optimizer: GraphOptimizer.Options(customKernelFusion: fusion)))
        return try session.run(m.outputs + [m.total], feed: m.feed)
    }

    func testNodesOfOneKeyRunAsOneCallWithTheUnfusedValues() throws {
        let unfusedKernel = ScaleKernel(2, fusionThresholdBytes: 1 << 20)
        let unfused = try run(model(unfusedKernel), fusion: false)
        XCTAssertEqual(unfusedKernel.calls, 3)
        let fusedKernel = ScaleKernel(2, fusionThresholdBytes: 1 << 20)
        let m = model(fusedKernel)
        let fused = try run(m, fusion: true)
        XCTAssertEqual(fusedKernel.calls, 1)
        XCTAssertEqual(fusedKernel.callSizes, [12])
        XCTAssertEqual(fused.map(\.shape), [[2], [3, 2], [4]] + [[]])
        XCTAssertEqual(fused.map(\.scalars), unfused.map(\.scalars))
        // x0 = [1, 2], x1 = 2 * (1...6), x2 = 3 * (1...4), each doubled:
        // sums 6, 84 and 60; total = 1 * 6 + 2 * 84 + 3 * 60 = 354.
        XCTAssertEqual(fused.last!.scalars, [354])
        let dot = try m.graph.dot(fetches: m.outputs, optimized: true)
        XCTAssertTrue(dot.contains("test_scale (3 fused)") && dot.contains("slice from 8"), dot)
    }

    func testTheThresholdBoundsEachFusedCall() throws {
        // 2 + 6 floats = 32 bytes fit a 32-byte threshold; the 4 floats of the third start a new group.
        let kernel = ScaleKernel(2, fusionThresholdBytes: 32)
        _ = try run(model(kernel), fusion: true)
        XCTAssertEqual(kernel.callSizes, [8, 4])
    }

    func testAMemberNeededBeforeTheLastIsReadyIsNotFused() throws {
        let reference = try run(model(ScaleKernel(2, fusionThresholdBytes: 1 << 20), chained: true), fusion: false)
        let kernel = ScaleKernel(2, fusionThresholdBytes: 1 << 20)
        let values = try run(model(kernel, chained: true), fusion: true)
        XCTAssertEqual(kernel.callSizes, [2, 6 + 4], "the first output feeds the second input, so it runs alone")
        XCTAssertEqual(values.map(\.scalars), reference.map(\.scalars))
    }

    func testKernelsWithoutAFusionKeyAreLeftAlone() throws {
        let kernel = ScaleKernel(2)
        _ = try run(model(kernel), fusion: true)
        XCTAssertEqual(kernel.calls, 3)
    }

    func testLaterInputsOrderAFusedCallWithoutBeingPacked() throws {
        let g = Graph()
        let a = g.placeholder(shape: [2], name: "a"), b = g.placeholder(shape: [3], name: "b")
        let marker = g.placeholder(shape: [5], name: "marker")
        let kernel = ScaleKernel(-1, fusionThresholdBytes: 1 << 20)
        let ya = g.custom(kernel, [a, marker]), yb = g.custom(kernel, [b])
        let out = try Session(graph: g).run([ya, yb], feed: [
            a: NDArray(shape: [2], scalars: [1, 2]), b: NDArray(shape: [3], scalars: [3, 4, 5]), marker: NDArray(zeros: [5]),
        ])
        XCTAssertEqual(kernel.callSizes, [5], "a's and b's 5 elements, not the marker's")
        XCTAssertEqual(out.map(\.scalars), [[-1, -2], [-3, -4, -5]])
    }
}
