import Foundation
import XCTest

/// Tutorial 13 (batch norm and train/eval state): both mistakes are caught with the user's line,
/// the fixed programs are silent, the frontends agree on the running statistics, and the
/// exercises' answers hold.
final class Tutorial13Tests: XCTestCase {
    private let product = "tutorial-13-batch-norm"

    /// The four numbers printed after `marker` ("a, b, c, d ...").
    private func four(after marker: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        guard let range = text.range(of: marker) else {
            XCTFail("no \"\(marker)\" in:\n\(text)", file: file, line: line)
            return []
        }
        let rest = text[range.upperBound...].prefix { $0 != "\n" }
        return rest.split(separator: ",").prefix(4).compactMap { Float($0.trimmingCharacters(in: CharacterSet(charactersIn: " ."))) }
    }

    private func scalar(after marker: String, in text: String) -> Float {
        TutorialTests.numbers(after: marker, in: text).first ?? .nan
    }

    func testTutorial13BatchNorm() throws {
        let out = try TutorialRunner.run(product)
        out.expectSuccess()
        let text = out.text
        // Eager: the train-mode evaluation is reported at the line inside eagerAccuracy that calls the model.
        out.expect(matching: #"BatchNorm1d '1' was called in training mode inside noGrad \{ \} at tutorial_13_batch_norm/main\.swift:\d+"#)
        // Graph: the skipped updates are reported at the line that created the train op.
        out.expect(matching: #"train op 'Momentum' at tutorial_13_batch_norm/main\.swift:\d+ runs without 2 of Graph\.updateOps"#)
        XCTAssertEqual(text.components(separatedBy: "warnings in the fixed program: 0").count - 1, 2, text)
        // Without the updates the moving mean stays at its initial zeros and eval accuracy collapses.
        out.expect("graph.warnings: 1")
        XCTAssertEqual(four(after: "when it was raised)\nmoving_mean: ", in: text), [0, 0, 0, 0])
        let collapsed = scalar(after: "eval accuracy without the updates: ", in: text)
        let fixed = scalar(after: "eval accuracy with the updates: ", in: text)
        XCTAssertGreaterThan(fixed, collapsed + 0.3, text)
        // Eager and graph train the same model from the same weights: same running statistics.
        assertAllClose(four(after: "running_mean after 60 steps: ", in: text), four(after: "+ g.updateOps)\nmoving_mean: ", in: text),
                       accuracy: 1e-3)
        XCTAssertLessThan(scalar(after: "largest running-mean difference, eager vs graph: ", in: text), 1e-3)
        // eval() on the trained state gives the graph's eval-mode accuracy.
        XCTAssertEqual(scalar(after: "accuracy with eval(): ", in: text), fixed, accuracy: 0.01)
    }

    /// Exercise 1: after one step the running mean is momentum (0.1) times the batch mean.
    func testExercise1OneStepMovesTheRunningMeanByMomentumTimesTheBatchMean() throws {
        let out = try TutorialRunner.run(product, arguments: ["--steps", "1"])
        out.expectSuccess()
        let batchMean = four(after: "first layer's batch mean at step 1: ", in: out.text)
        XCTAssertEqual(batchMean.count, 4)
        assertAllClose(four(after: "running_mean after 1 steps: ", in: out.text), batchMean.map { 0.1 * $0 }, accuracy: 1e-3)
        out.expect("num_batches_tracked: 1")
    }

    /// Exercise 2: fetching only the train op still computes the batch statistics, so the
    /// skipped updates are still reported.
    func testExercise2FetchingOnlyTheTrainOpIsStillReported() throws {
        let out = try TutorialRunner.run(product, arguments: ["--train-op-only"])
        out.expectSuccess()
        out.expect(matching: #"train op 'Momentum' at tutorial_13_batch_norm/main\.swift:\d+ runs without 2 of Graph\.updateOps"#)
    }
}

private func assertAllClose(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
}
