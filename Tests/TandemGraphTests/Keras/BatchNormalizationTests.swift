import XCTest
@testable import TandemGraph

/// Keras' BatchNormalization in a Sequential: fit runs its moving-average updates (checked
/// against a hand computation), inference uses the moving statistics.
final class BatchNormalizationTests: XCTestCase {
    func testFitRunsTheMovingAverageUpdates() throws {
        manualSeed(2)
        let n = 6
        let x = NDArray(shape: [n, 2], scalars: testValues(2 * n, seed: 3, low: -2, high: 2))
        let y = (0..<n).map { $0 % 2 }
        let bn = BatchNormalization(momentum: 0.9)
        let model = Sequential([Dense(3, name: "hidden"), bn, Activation(.relu), Dense(2)], inputShape: [2])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        let session = try XCTUnwrap(model.session)
        let dense = model.layers[0] as! Dense
        let kernel = try session.value(of: dense.kernel!).scalars, bias = try session.value(of: dense.bias!).scalars

        // One step on the whole batch: the moving statistics take 10% of the batch's.
        try model.fit(x, y, epochs: 1, batchSize: n, shuffle: false, verbose: false)
        var expectedMean: [Float] = [], expectedVar: [Float] = []
        for unit in 0..<3 {
            let h = (0..<n).map { i in
                Double(x.scalars[2 * i]) * Double(kernel[unit]) + Double(x.scalars[2 * i + 1]) * Double(kernel[3 + unit]) + Double(bias[unit])
            }
            let mean = h.reduce(0, +) / Double(n)
            let unbiased = h.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            expectedMean.append(Float(0.1 * mean))
            expectedVar.append(Float(0.9 + 0.1 * unbiased))
        }
        assertClose(try session.value(of: bn.movingMean!).scalars, expectedMean, tolerance: 1e-5, "moving_mean")
        assertClose(try session.value(of: bn.movingVariance!).scalars, expectedVar, tolerance: 1e-5, "moving_variance")
        XCTAssertEqual(model.graph!.updateOps.count, 2)
    }

    func testInferenceUsesTheMovingStatistics() throws {
        let bn = BatchNormalization()
        let model = Sequential([bn], inputShape: [3])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .meanSquaredError)
        let x = NDArray(shape: [2, 3], scalars: [1, -2, 3, 0.5, 4, -1])
        // Fresh moving statistics (mean 0, variance 1): x / sqrt(1 + epsilon).
        assertClose(try model.predict(x).scalars, x.scalars.map { $0 / (1 + 1e-3).squareRoot() }, tolerance: 1e-6)
        // Training normalises with the batch: each column of the one-step output has mean 0.
        let history = try model.fit(x, NDArray(zeros: [2, 3]), epochs: 1, batchSize: 2, shuffle: false, verbose: false)
        XCTAssertEqual(history.loss.count, 1)
        XCTAssertEqual(history.loss[0], 1, accuracy: 1e-2, "(±1 per element before the variance's epsilon)")
        XCTAssertEqual(bn.variables.count, 4)
    }

    func testNCHWInputsNormalisePerChannel() throws {
        let model = Sequential([Conv2D(2, kernelSize: 3, padding: .same), BatchNormalization(), GlobalAveragePooling2D(), Dense(2)])
        model.compile(optimizer: .adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        let x = NDArray(shape: [4, 1, 4, 4], scalars: testValues(64, seed: 8))
        let history = try model.fit(x, [0, 1, 0, 1], epochs: 2, batchSize: 2, verbose: false)
        XCTAssertEqual(history.loss.count, 2)
        XCTAssertEqual(model.layerOutputShapes, [[2, 4, 4], [2, 4, 4], [2], [2]])
        let message = errorMessage {
            let bad = Sequential([BatchNormalization(name: "bn")])
            bad.compile(optimizer: .sgd(), loss: .meanSquaredError)
            _ = try bad.predict(NDArray(zeros: [2]))
        }
        XCTAssertNotNil(message)
    }
}
