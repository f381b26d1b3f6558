import Foundation
import XCTest

/// Tutorial 17 (exporting and watching): both frontends' loss curves written as TensorBoard event
/// files and read back equal; the eager model exported to ONNX and imported into a graph gives the
/// eager values; its exercises are run with their flags and their answers checked.
final class Tutorial17Tests: XCTestCase {
    private let product = "tutorial-17-exporting-watching"

    /// The number printed right after `marker`.
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

    func testTutorial17ExportingWatching() throws {
        let out = try TutorialRunner.run(product)
        out.expectSuccess()
        let text = out.text
        out.expect("read back: 20 eager points, 20 graph points of tag 'loss'")
        XCTAssertLessThan(number(after: "largest difference between the two curves: ", in: text), 1e-5)
        XCTAssertLessThan(number(after: "loss at step 19: eager ", in: text), number(after: "loss at step 0: eager ", in: text))
        out.expect("graph run: 22 events, graph tab: yes")
        out.expect("imported: producer Tandem, opset 17, input 'input' [8, 2]")
        out.expect("imported ops: linear, relu, linear")
        XCTAssertLessThan(number(after: "largest difference between the imported graph and eager: ", in: text), 1e-5)
        // onnxruntime is optional: either its figure or the reason it was skipped.
        XCTAssertTrue(text.contains("onnx.checker: ok; onnxruntime") || text.contains("skipped"), text)
        if text.contains("onnxruntime 1") {
            XCTAssertLessThan(number(after: "largest difference from eager ", in: text), 1e-5)
        }
    }

    /// Exercise 1: a larger learning rate; the frontends still agree and the loss falls faster.
    func testExercise1LargerLearningRate() throws {
        let base = try TutorialRunner.run(product)
        let fast = try TutorialRunner.run(product, arguments: ["--lr", "0.5"])
        fast.expectSuccess()
        XCTAssertLessThan(number(after: "largest difference between the two curves: ", in: fast.text), 1e-5)
        XCTAssertLessThan(number(after: "loss at step 19: eager ", in: fast.text), number(after: "loss at step 19: eager ", in: base.text))
    }

    /// Exercise 2: the exported input shape is the example's, batch included.
    func testExercise2TheExampleFixesTheShape() throws {
        let out = try TutorialRunner.run(product, arguments: ["--batch", "1"])
        out.expectSuccess()
        out.expect("imported: producer Tandem, opset 17, input 'input' [1, 2]")
    }

    /// Exercise 3: in training mode dropout draws a mask, which ONNX export names and refuses.
    func testExercise3TrainingModeIsRefused() throws {
        let out = try TutorialRunner.run(product, arguments: ["--train-mode"])
        out.expectSuccess()
        out.expect("export failed: exportONNX: cannot export 'bernoulli_mask'")
        out.expect("dropout in training mode: export the model in eval mode")
        XCTAssertFalse(out.text.contains("imported:"), out.text)
    }
}
