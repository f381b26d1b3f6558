import Foundation
import TandemKernels
import XCTest

/// LearningRateDecay against its closed forms (the values TF1 gives are checked in the graph's
/// LearningRateSchedulesTests).
final class LearningRateDecayTests: XCTestCase {
    func testExponential() {
        let smooth = LearningRateDecay.exponential(learningRate: 2, decaySteps: 4, decayRate: 0.25, staircase: false)
        XCTAssertEqual(smooth.learningRate(atStep: 0), 2)
        XCTAssertEqual(smooth.learningRate(atStep: 8), 2 * 0.25 * 0.25, accuracy: 1e-7)
        XCTAssertEqual(smooth.learningRate(atStep: 2), 2 * 0.5, accuracy: 1e-7)
        let staircase = LearningRateDecay.exponential(learningRate: 2, decaySteps: 4, decayRate: 0.25, staircase: true)
        XCTAssertEqual(staircase.learningRate(atStep: 3), 2)
        XCTAssertEqual(staircase.learningRate(atStep: 7), 2 * 0.25)
        XCTAssertEqual(staircase.learningRate(atStep: 8), 2 * 0.25 * 0.25)
    }

    func testCosine() {
        let cosine = LearningRateDecay.cosine(learningRate: 1, decaySteps: 10, alpha: 0)
        XCTAssertEqual(cosine.learningRate(atStep: 0), 1)
        XCTAssertEqual(cosine.learningRate(atStep: 5), 0.5, accuracy: 1e-7)
        XCTAssertEqual(cosine.learningRate(atStep: 10), 0)
        XCTAssertEqual(cosine.learningRate(atStep: 50), 0, "held after decaySteps")
        let floor = LearningRateDecay.cosine(learningRate: 2, decaySteps: 10, alpha: 0.25)
        XCTAssertEqual(floor.learningRate(atStep: 30), 0.5, accuracy: 1e-7)
        for step in 0...10 {
            let expected = 2 * (0.75 * 0.5 * (1 + Foundation.cos(Double.pi * Double(step) / 10)) + 0.25)
            XCTAssertEqual(Double(floor.learningRate(atStep: Float(step))), expected, accuracy: 1e-6)
        }
    }

    func testInvalidReasons() {
        XCTAssertNil(LearningRateDecay.cosine(learningRate: 1, decaySteps: 1, alpha: 0).invalidReason)
        XCTAssertNotNil(LearningRateDecay.cosine(learningRate: 1, decaySteps: 0, alpha: 0).invalidReason)
        XCTAssertNotNil(LearningRateDecay.exponential(learningRate: .nan, decaySteps: 3, decayRate: 0.5, staircase: false).invalidReason)
    }
}
