import Foundation
import XCTest

@testable import TandemGraph

/// A custom kernel for the tests: multiplies its first input by `factor` (a naive loop here, so
/// the expected values are independent of the core) and counts its calls. Rank-3 inputs are
/// rejected by its shape rule; `failing` makes every run throw.
final class ScaleKernel: CustomKernel {
    let factor: Float
    let fusionThresholdBytes: Int
    let failing: Bool
    var calls = 0
    var callSizes: [Int] = []

    init(_ factor: Float, fusionThresholdBytes: Int = 0, failing: Bool = false) {
        self.factor = factor
        self.fusionThresholdBytes = fusionThresholdBytes
        self.failing = failing
    }

    var name: String { "test_scale" }
    var attributes: [String: String] { ["factor": String(factor)] }
    var fusionKey: String? { fusionThresholdBytes > 0 ? "test_scale.\(factor)" : nil }

    func outputShape(_ inputShapes: [[Int]]) throws -> [Int] {
        guard let first = inputShapes.first, first.count < 3 else { throw ShapeRuleError("test_scale takes rank 0 to 2") }
        return first
    }

    func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray {
        calls += 1
        callSizes.append(inputs[0].count)
        if failing { throw TandemError.invalidValue(op: "test_scale", reason: "asked to fail", location: nil) }
        return NDArray(shape: inputs[0].shape, scalars: inputs[0].scalars.map { $0 * factor })
    }
}

final class CustomKernelTests: XCTestCase {
    func testACustomNodeRunsItsKernelInASession() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let kernel = ScaleKernel(3)
        let y = g.custom(kernel, [x], name: "tripled")
        XCTAssertEqual(y.shape, [nil, 2])
        XCTAssertEqual(y.kindName, "test_scale")
        let value = try Session(graph: g).run(y.sum(), feed: [x: NDArray(shape: [2, 2], scalars: [1, 2, 3, 4])])
        XCTAssertEqual(value.scalars, [30])
        XCTAssertEqual(kernel.calls, 1)
    }

    func testTheShapeRuleRunsWhenTheNodeIsAdded() {
        let g = Graph()
        let x = g.placeholder(shape: [2, 2, 2], name: "x")
        do {
            try checked { _ = g.custom(ScaleKernel(2), [x]) }
            XCTFail("a rank-3 input must be rejected")
        } catch let error as TandemError {
            guard case .shapeMismatch(let op, let shapes, let reason, let location) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "test_scale")
            XCTAssertEqual(shapes, [[2, 2, 2]])
            XCTAssertTrue(reason.contains("rank 0 to 2"))
            XCTAssertEqual(location?.file, "TandemGraphTests/CustomKernelTests.swift")
        } catch {
            XCTFail("\(error)")
        }
    }

    func testAKernelErrorNamesTheNodeAndTheLineThatBuiltIt() {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let y = g.custom(ScaleKernel(2, failing: true), [x], name: "doomed"); let line = #line
        XCTAssertThrowsError(try Session(graph: g).run(y, feed: [x: NDArray(shape: [2], scalars: [1, 2])])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'doomed'") && text.contains("asked to fail"), text)
            XCTAssertTrue(text.contains("CustomKernelTests.swift:\(line)"), text)
        }
    }

    func testAKernelReturningTheWrongShapeIsAnError() {
        final class Shrinking: CustomKernel {
            var name: String { "shrinking" }
            func outputShape(_ inputShapes: [[Int]]) throws -> [Int] { inputShapes[0] }
            func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray { NDArray(zeros: [1]) }
        }
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let y = g.custom(Shrinking(), [x])
        XCTAssertThrowsError(try Session(graph: g).run(y, feed: [x: NDArray(zeros: [3])])) { error in
            XCTAssertTrue("\(error)".contains("shrinking returned a value of shape [1] for a node of shape [3]"), "\(error)")
        }
    }

    func testAGraphWithACustomNodeSavesAndLoadsThroughTheRegisteredFactory() throws {
        CustomKernels.register("test_scale") { attributes in
            guard let factor = attributes["factor"].flatMap(Float.init) else { throw ShapeRuleError("no factor") }
            return ScaleKernel(factor)
        }
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        _ = g.custom(ScaleKernel(5), [x], name: "scaled")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("custom-\(UUID().uuidString).tgraph")
        defer { try? FileManager.default.removeItem(at: url) }
        try g.save(to: url)
        let loaded = try Graph.load(from: url)
        XCTAssertEqual(try loaded.run(["scaled"], feed: ["x": NDArray(shape: [2], scalars: [1, -2])])[0].scalars, [5, -10])
    }

    func testLoadingACustomNodeWhoseKernelIsNotRegisteredSaysWhatIsMissing() throws {
        final class Unregistered: CustomKernel {
            var name: String { "test_unregistered_kernel" }
            func outputShape(_ inputShapes: [[Int]]) throws -> [Int] { inputShapes[0] }
            func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray { inputs[0] }
        }
        let g = Graph()
        _ = g.custom(Unregistered(), [g.placeholder(shape: [2], name: "x")], name: "mystery")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("custom-\(UUID().uuidString).tgraph")
        defer { try? FileManager.default.removeItem(at: url) }
        try g.save(to: url)
        XCTAssertThrowsError(try Graph.load(from: url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'mystery'") && text.contains("'test_unregistered_kernel'"), text)
            XCTAssertTrue(text.contains("not registered") || text.contains("no library has registered"), text)
        }
    }

    func testNodesOfAnotherGraphAreRejected() {
        let g = Graph(), other = Graph()
        let stranger = other.placeholder(shape: [1], name: "s")
        XCTAssertThrowsError(try checked { _ = g.custom(ScaleKernel(1), [stranger]) }) { error in
            XCTAssertTrue("\(error)".contains("two different graphs"), "\(error)")
        }
    }
}
