import XCTest
@testable import TandemGraph

/// fit's validation data, the error before compile (and summary's before building) and Nesterov momentum in compile.
final class SequentialFitTests: XCTestCase {
    private func data(_ n: Int, seed: UInt64) -> (NDArray, [Int]) {
        let x = NDArray(shape: [n, 2], scalars: testValues(2 * n, seed: seed, low: -1, high: 1))
        let y = (0..<n).map { x.scalars[2 * $0] + x.scalars[2 * $0 + 1] > 0 ? 1 : 0 }
        return (x, y)
    }

    func testValidationDataIsEvaluatedAfterEachEpoch() throws {
        manualSeed(5)
        let (x, y) = data(40, seed: 1), (vx, vy) = data(12, seed: 2)
        let model = Sequential([Dense(8, activation: .relu), Dropout(rate: 0.2), Dense(2), Activation(.logSoftmax)])
        model.compile(optimizer: .adam(learningRate: 0.05), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        let history = try model.fit(x, y, epochs: 3, batchSize: 8, validationData: (vx, vy), verbose: false)
        XCTAssertEqual(history.valLoss.count, 3)
        XCTAssertEqual(history.valAccuracy.count, 3)
        XCTAssertEqual(Set(history.history.keys), ["loss", "accuracy", "val_loss", "val_accuracy"])
        // The last epoch's validation scores are those of evaluate on the same data afterwards.
        let scores = try model.evaluate(vx, vy)
        XCTAssertEqual(history.valLoss.last!, scores["loss"]!, accuracy: 1e-6)
        XCTAssertEqual(history.valAccuracy.last!, scores["accuracy"]!)
        XCTAssertThrowsError(try model.fit(x, y, validationData: (vx, [0]), verbose: false))
    }

    func testFitEvaluateAndPredictBeforeCompileThrow() {
        let (x, y) = data(4, seed: 3)
        let model = Sequential([Dense(2)])
        let line = #line + 1
        let fit = errorMessage { try model.fit(x, y, verbose: false) }
        XCTAssertTrue(fit?.contains("Sequential.fit") ?? false, fit ?? "no error")
        XCTAssertTrue(fit?.contains("compile(optimizer:loss:metrics:)") ?? false, fit ?? "no error")
        XCTAssertTrue(fit?.contains("Sequential+FitTests.swift:\(line)") ?? false, fit ?? "no error")
        XCTAssertTrue(errorMessage { _ = try model.evaluate(x, y) }?.contains("Sequential.evaluate: the model must be compiled") ?? false)
        XCTAssertTrue(errorMessage { _ = try model.predict(x) }?.contains("Sequential.predict: the model must be compiled") ?? false)
        XCTAssertNil(model.graph, "nothing was built with default choices")
        XCTAssertTrue(errorMessage { try model.summary(print: false) }?.contains("not yet been built") ?? false)
    }

    /// One full-batch step of Nesterov momentum from a zero buffer moves the weights by
    /// lr · (1 + momentum) · gradient (plain momentum: lr · gradient).
    func testCompileAcceptsNesterovMomentum() throws {
        let x = NDArray(shape: [3, 2], scalars: [1, 2, -1, 0.5, 0, -2])
        let t = NDArray(shape: [3, 1], scalars: [1, 0, -1])
        for nesterov in [false, true] {
            let dense = Dense(1)
            let model = Sequential([dense], inputShape: [2])
            model.compile(optimizer: .sgd(learningRate: 0.1, momentum: 0.9, nesterov: nesterov), loss: .meanSquaredError)
            let session = try XCTUnwrap(model.session)
            let w = try session.value(of: dense.kernel!).scalars, b = try session.value(of: dense.bias!).scalars[0]
            // d/dw mean((xw + b - t)^2) = 2/N xᵀ r.
            let xs = x.scalars, ts = t.scalars
            var r: [Float] = []
            for i in 0..<3 { r.append(xs[2 * i] * w[0] + xs[2 * i + 1] * w[1] + b - ts[i]) }
            var gradient: [Float] = [0, 0]
            for k in 0..<2 { for i in 0..<3 { gradient[k] += 2 / 3 * xs[2 * i + k] * r[i] } }
            try model.fit(x, t, epochs: 1, batchSize: 3, shuffle: false, verbose: false)
            let scale: Float = nesterov ? 0.1 * 1.9 : 0.1
            assertClose(try session.value(of: dense.kernel!).scalars, zip(w, gradient).map { $0 - scale * $1 }, tolerance: 1e-5, "nesterov \(nesterov)")
        }
    }
}
