import Foundation
import XCTest
@testable import TandemGraph

/// `placeholderWithDefault` (tf.placeholder_with_default): the default when not fed, the fed
/// value otherwise, as a cond's training switch, checked shapes, and kept by graph files.
final class GraphPlaceholderWithDefaultTests: XCTestCase {
    func testDefaultUnlessFed() throws {
        let g = Graph()
        let scale = g.placeholderWithDefault(NDArray(shape: [2], scalars: [1, 10]), shape: [2], name: "scale")
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let y = x * scale
        let session = Session(graph: g)
        let batch = NDArray(shape: [2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(try session.run(y, feed: [x: batch]).scalars, [1, 20, 3, 40])
        XCTAssertEqual(try session.run(y, feed: [x: batch, scale: NDArray(shape: [2], scalars: [2, 3])]).scalars, [2, 6, 6, 12])
        XCTAssertEqual(g.defaultValue(of: scale)?.scalars, [1, 10])
        XCTAssertNil(g.defaultValue(of: x))
        XCTAssertThrowsError(try session.run(y, feed: [x: batch, scale: NDArray(zeros: [3])])) {
            XCTAssertTrue("\($0)".contains("fed a value of shape [3]"), "\($0)")
        }
    }

    func testATrainingSwitchForCond() throws {
        let g = Graph()
        let training = g.placeholderWithDefault(NDArray(1), shape: [], name: "training")
        let x = g.placeholder(shape: [3], name: "x")
        let out = g.cond(training, then: { [x * 2] }, else: { [x - 1] })[0]
        let session = Session(graph: g)
        let value = NDArray(shape: [3], scalars: [1, 2, 3])
        XCTAssertEqual(try session.run(out, feed: [x: value]).scalars, [2, 4, 6], "training by default")
        XCTAssertEqual(try session.run(out, feed: [x: value, training: NDArray(0)]).scalars, [0, 1, 2], "fed false for evaluation")
    }

    func testADefaultThatDoesNotFitIsAnErrorWithTheLine() {
        let line = #line + 1
        let message = errorMessage { try checked { _ = Graph().placeholderWithDefault(NDArray(zeros: [2, 3]), shape: [nil, 4], name: "t") } }
        XCTAssertTrue(message?.contains("placeholderWithDefault") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("[2, 3]") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("Graph+PlaceholderWithDefaultTests.swift:\(line)") ?? false, message ?? "no error")
    }

    func testGraphFilesKeepTheDefault() throws {
        let g = Graph()
        let rate = g.placeholderWithDefault(NDArray(shape: [1, 2], scalars: [0.5, 4]), shape: [nil, 2], name: "rate")
        _ = (rate * 2).sum()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pwd-\(UUID().uuidString).tandem")
        defer { try? FileManager.default.removeItem(at: url) }
        try g.save(to: url)
        let loaded = try Graph.load(from: url)
        let sum = try XCTUnwrap(loaded.graph.nodes.last)
        XCTAssertEqual(try loaded.run([sum.name])[0].scalars, [9])
        XCTAssertEqual(try loaded.run([sum.name], feed: ["rate": NDArray(shape: [2, 2], scalars: [1, 1, 1, 1])])[0].scalars, [8])
    }
}
