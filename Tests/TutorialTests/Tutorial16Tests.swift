import Foundation
import XCTest

/// Tutorial 16 (from eager to graph): the traced values agree with eager, the frozen branch and its
/// warning name the marked line, retracing is counted per new shape, the traced training step
/// matches eager; its exercises are run with their flags and their answers checked.
final class Tutorial16Tests: XCTestCase {
    private let product = "tutorial-16-eager-to-graph"

    /// The number printed right after `marker` (`%.2e` figures included, whose exponent has a sign).
    private func number(after marker: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Float {
        guard let range = text.range(of: marker) else {
            XCTFail("no \"\(marker)\" in:\n\(text)", file: file, line: line)
            return .nan
        }
        let figure = text[range.upperBound...].prefix { "0123456789.e+-".contains($0) }
        guard let value = Float(figure) else {
            XCTFail("no number after \"\(marker)\" in:\n\(text)", file: file, line: line)
            return .nan
        }
        return value
    }

    func testTutorial16EagerToGraph() throws {
        let out = try TutorialRunner.run(product)
        out.expectSuccess()
        let text = out.text
        XCTAssertLessThan(number(after: "largest difference between traced and eager: ", in: text), 1e-5)
        // Fusion: three recorded ops, two planned steps, the ReLU inside the first linear.
        out.expect("the session runs 2 steps after the passes: linear(x w^T + b, relu); linear(x w^T + b, identity)")
        // The warning names the marked line; the frozen branch doubles a negative input, eager negates it.
        let marked = try TutorialTests.markedLines(in: "16-EagerToGraph")
        XCTAssertEqual(marked.count, 1)
        out.expect("TracerWarning: tutorial_16_eager_to_graph/main.swift:\(marked.first ?? -1): item() read")
        out.expect("input [-1.0000, -2.0000, -3.0000]: eager [1.0000, 2.0000, 3.0000], traced [-2.0000, -4.0000, -6.0000]")
        out.expect("written with tensor ops instead: 0 warnings")
        out.expect("input [-1.0000, -2.0000, -3.0000]: traced tensor-op gate [1.0000, 2.0000, 3.0000]")
        // Retracing: batches 5, 7, 5, 9 give two retraces.
        out.expect("call 3 with batch 5: shape seen before: cached graph (retraceCount 1)")
        out.expect("retraceCount = 2, graphs traced = 3")
        out.expect("2 calls with a new input shape triggered retracing")
        XCTAssertLessThan(number(after: "largest difference from eager over these calls: ", in: text), 1e-5)
        // The traced training step: same losses as eager, and training works.
        out.expect("train op Momentum")
        XCTAssertLessThan(number(after: "largest loss difference over 5 steps: ", in: text), 1e-5)
        XCTAssertLessThan(number(after: "largest parameter difference after training: ", in: text), 1e-5)
        XCTAssertEqual(number(after: "eager  losses: first ", in: text), number(after: "traced losses: first ", in: text), accuracy: 1e-5)
    }

    /// Exercise 1: traced with a negative example, the graph holds `-x`.
    func testExercise1TraceTheOtherBranch() throws {
        let out = try TutorialRunner.run(product, arguments: ["--sign", "-1"])
        out.expectSuccess()
        out.expect("tracing with example [-1.0000, -2.0000, -3.0000]")
        out.expect("input [1.0000, 2.0000, 3.0000]: eager [2.0000, 4.0000, 6.0000], traced [-1.0000, -2.0000, -3.0000]")
        out.expect("input [-1.0000, -2.0000, -3.0000]: eager [1.0000, 2.0000, 3.0000], traced [1.0000, 2.0000, 3.0000]")
    }

    /// Exercise 2: a shape seen before does not retrace.
    func testExercise2WhichCallsRetrace() throws {
        let out = try TutorialRunner.run(product, arguments: ["--batches", "5,7,5,9,7"])
        out.expectSuccess()
        out.expect("call 5 with batch 7: shape seen before: cached graph (retraceCount 2)")
        out.expect("retraceCount = 2, graphs traced = 3")
    }

    /// Exercise 3: Adam traces to the graph's Adam train op and still matches eager.
    func testExercise3Adam() throws {
        let out = try TutorialRunner.run(product, arguments: ["--optimizer", "adam"])
        out.expectSuccess()
        out.expect("optimizer: Adam lr 0.01")
        out.expect("train op Adam")
        XCTAssertLessThan(number(after: "largest loss difference over 5 steps: ", in: out.text), 1e-5)
    }
}
