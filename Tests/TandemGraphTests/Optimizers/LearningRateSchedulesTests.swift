import Foundation
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// exponentialDecay and cosineDecay against tf.compat.v1.train's values at steps 0...11
/// (scripts/pytorch/record_optimizer_reference.py), and driving an optimizer through the
/// global step a train op increments.
final class LearningRateSchedulesTests: XCTestCase {
    func testDecaysMatchTF1() throws {
        let g = Graph()
        let step = g.placeholder(shape: [], name: "step")
        let nodes: [String: Node] = [
            "exponential_decay": exponentialDecay(learningRate: 0.1, globalStep: step, decaySteps: 3, decayRate: 0.5),
            "exponential_decay_staircase": exponentialDecay(
                learningRate: 0.1, globalStep: step, decaySteps: 3, decayRate: 0.5, staircase: true),
            "cosine_decay": cosineDecay(learningRate: 0.1, globalStep: step, decaySteps: 7),
            "cosine_decay_alpha": cosineDecay(learningRate: 0.1, globalStep: step, decaySteps: 7, alpha: 0.1),
        ]
        XCTAssertEqual(Set(TF1OptimizerReference.decays.map(\.name)), Set(nodes.keys))
        let session = Session(graph: g)
        for decay in TF1OptimizerReference.decays {
            let values = try decay.values.indices.map { try session.run(nodes[decay.name]!, feed: [step: NDArray(Float($0))]).scalar }
            // TF evaluates pow and cos with Eigen's float functions: within a few float ulps of glibc's.
            assertClose(values, decay.values, tolerance: 3e-7, decay.name)
        }
    }

    /// Gradient descent on sum(w) (gradient 1) with a staircase rate: w falls by the rate of each
    /// step, read before the step's increment.
    func testTheTrainOpsGlobalStepDrivesTheRate() throws {
        let g = Graph()
        let w = g.variable(NDArray(0), name: "w")
        let step = g.globalStep()
        let rate = exponentialDecay(learningRate: 1, globalStep: step, decaySteps: 2, decayRate: 0.5, staircase: true)
        let train = GradientDescentOptimizer(learningRate: rate).minimize(w * 1, globalStep: step)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        var rates: [Float] = []
        for _ in 0..<6 {
            rates.append(try session.run(rate).scalar)
            try session.run(train)
        }
        XCTAssertEqual(rates, [1, 1, 0.5, 0.5, 0.25, 0.25])
        XCTAssertEqual(try session.value(of: step).scalar, 6)
        XCTAssertEqual(try session.value(of: w).scalar, -3.5)
    }

    func testInvalidDecayArgumentsAreErrors() {
        let g = Graph()
        let step = g.globalStep()
        var message = ""
        do {
            try checked { _ = cosineDecay(learningRate: 0.1, globalStep: step, decaySteps: 0) }
        } catch {
            message = "\(error)"
        }
        XCTAssertTrue(message.contains("decaySteps must be positive"), message)
        do {
            try checked { _ = exponentialDecay(learningRate: 0.1, globalStep: g.placeholder(shape: [2]), decaySteps: 3, decayRate: 0.5) }
            XCTFail("a rank-1 step was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("rank-0"), "\(error)")
        }
    }
}
