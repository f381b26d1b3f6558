import TandemKernels
import XCTest

/// Error messages (`Core/TandemError.swift`, `Core/SourceLocation.swift`).
final class TandemErrorTests: XCTestCase {
    private let here = SourceLocation(file: "App/Model.swift", line: 12)

    func testMessagesNameOpShapesAndLine() {
        let shape = TandemError.shapeMismatch(op: "matmul", shapes: [[2, 3], [nil, 5]], reason: "inner dimensions differ (3 vs 4)", location: here)
        XCTAssertEqual(shape.description, "matmul: inner dimensions differ (3 vs 4); input shapes [2, 3], [?, 5] (at App/Model.swift:12)")
        XCTAssertEqual(shape.location, here)
        XCTAssertEqual(TandemError.invalidValue(op: "cross_entropy", reason: "label 3", location: nil).description, "cross_entropy: label 3")
        XCTAssertEqual(
            TandemError.nonFinite(op: "log", phase: "forward", shapes: [[2]], location: here).description,
            "log: forward produced NaN or Inf; input shapes [2] (at App/Model.swift:12)")
        let file = TandemError.file(path: "/tmp/w.safetensors", reason: "truncated")
        XCTAssertEqual(file.description, "/tmp/w.safetensors: truncated")
        XCTAssertNil(file.location)
        XCTAssertEqual(TandemError.graph(node: "x", reason: "needs a value", location: here).description, "node 'x': needs a value (at App/Model.swift:12)")
        XCTAssertEqual(TandemError.autograd(reason: "backward twice", location: nil).description, "autograd: backward twice")
    }

    func testFormatShape() {
        XCTAssertEqual(formatShape([2, 3]), "[2, 3]")
        XCTAssertEqual(formatShape([Int]()), "[]")
        XCTAssertEqual(formatShape([nil, 3] as [Int?]), "[?, 3]")
    }

    func testSourceLocationFromLiterals() {
        let location = SourceLocation(#fileID, #line)
        XCTAssertEqual(location.file, "TandemKernelsTests/TandemErrorTests.swift")
        XCTAssertEqual(location.description, "TandemKernelsTests/TandemErrorTests.swift:\(location.line)")
        XCTAssertEqual(SourceLocation.framework.description, "<tandem>:0")
    }
}
