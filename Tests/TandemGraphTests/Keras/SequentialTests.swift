import XCTest
@testable import TandemGraph

final class SequentialTests: XCTestCase {
    /// Three well-separated blobs in the plane.
    private func blobs(_ n: Int) -> (NDArray, [Int]) {
        let noise = testValues(2 * n, seed: 21, low: -0.3, high: 0.3)
        let centers: [(Float, Float)] = [(1, 1), (-1, 1), (0, -1)]
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0..<n {
            let c = i % 3
            scalars += [centers[c].0 + noise[2 * i], centers[c].1 + noise[2 * i + 1]]
            labels.append(c)
        }
        return (NDArray(shape: [n, 2], scalars: scalars), labels)
    }

    func testFitReducesLossAndLearnsBlobs() throws {
        manualSeed(0)
        let (x, y) = blobs(90)
        let model = Sequential([Dense(16, activation: .relu), Dense(3)])
        model.compile(optimizer: .sgd(learningRate: 0.1, momentum: 0.9), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        let history = try model.fit(x, y, epochs: 15, batchSize: 16, verbose: false)
        XCTAssertEqual(history.loss.count, 15)
        XCTAssertLessThan(history.loss.last!, history.loss.first! * 0.5)
        let scores = try model.evaluate(x, y)
        XCTAssertGreaterThan(scores["accuracy"]!, 0.9)
        XCTAssertNotNil(scores["loss"])
        let predictions = try model.predict(x)
        XCTAssertEqual(predictions.shape, [90, 3])
        // The kernel is Keras' [in, out] and the plan fused matmul + bias + relu.
        XCTAssertEqual((model.layers[0] as! Dense).kernel!.shape, [2, 16])
        let ops = try model.session!.plannedOps(fetches: [model.outputNode!], feedKeys: [model.inputNode!])
        XCTAssertTrue(ops.contains(.linear(transposedWeight: false, activation: .relu)), "\(ops)")
    }

    func testConvolutionalModelWithDropoutAndAdam() throws {
        manualSeed(1)
        let n = 24
        // Class 0: bright left half, class 1: bright right half.
        var scalars: [Float] = []
        let noise = testValues(n * 36, seed: 5, low: 0, high: 0.2)
        for i in 0..<n {
            for r in 0..<6 { for c in 0..<6 { scalars.append(((c < 3) == (i % 2 == 0) ? 1 : 0) + noise[i * 36 + r * 6 + c]) } }
        }
        let x = NDArray(shape: [n, 1, 6, 6], scalars: scalars)
        let y = (0..<n).map { $0 % 2 }
        let model = Sequential([
            Conv2D(4, kernelSize: 3, padding: .same, activation: .relu), MaxPooling2D(poolSize: 2), Flatten(),
            Dropout(rate: 0.25), Dense(2),
        ])
        model.compile(optimizer: .adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        let history = try model.fit(x, y, epochs: 10, batchSize: 8, verbose: false)
        XCTAssertLessThan(history.loss.last!, history.loss.first!)
        XCTAssertEqual((model.layers[0] as! Conv2D).kernel!.shape, [4, 1, 3, 3])
        XCTAssertEqual(try model.predict(x).shape, [n, 2])
        XCTAssertGreaterThan(try model.evaluate(x, y)["accuracy"]!, 0.9)
        // Inference runs no dropout mask.
        let ops = try model.session!.plannedOps(fetches: [model.outputNode!], feedKeys: [model.inputNode!])
        XCTAssertFalse(ops.contains(.bernoulliMask(p: 0.25)))
    }

    /// Regression: a zero or negative batch size or epoch count divided by zero, trapped, or
    /// returned uninitialised memory; a wrong input rank stopped the process.
    func testBadCountsAndRanksAreThrownErrors() {
        let (x, y) = blobs(6)
        let labels = NDArray(shape: [6], scalars: y.map(Float.init))
        let model = Sequential([Dense(4, activation: .relu), Dense(3)])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        let calls: [(String, String, () throws -> Void)] = [
            ("fit batchSize 0", "batchSize must be at least 1", { _ = try model.fit(x, y, batchSize: 0, verbose: false) }),
            ("fit batchSize -4", "batchSize must be at least 1", { _ = try model.fit(x, y, batchSize: -4, verbose: false) }),
            ("fit epochs 0", "epochs must be at least 1", { _ = try model.fit(x, y, epochs: 0, verbose: false) }),
            ("fit epochs -1", "epochs must be at least 1", { _ = try model.fit(x, y, epochs: -1, verbose: false) }),
            ("evaluate batchSize 0", "batchSize must be at least 1", { _ = try model.evaluate(x, labels, batchSize: 0) }),
            ("predict batchSize 0", "batchSize must be at least 1", { _ = try model.predict(x, batchSize: 0) }),
            ("predict batchSize -1", "batchSize must be at least 1", { _ = try model.predict(x, batchSize: -1) }),
            ("predict rank 1", "need a batch dimension", { _ = try model.predict(NDArray(zeros: [6])) }),
            ("predict rank 0", "need a batch dimension", { _ = try model.predict(NDArray(0)) }),
        ]
        for (what, fragment, call) in calls {
            let message = errorMessage(call)
            XCTAssertTrue(message?.contains(fragment) ?? false, "\(what): \(message ?? "no error")")
        }
        // Dense on images (no Flatten): a thrown error naming the layer, not a precondition.
        let images = Sequential([Dense(3, name: "head")])
        images.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        let message = errorMessage { _ = try images.fit(NDArray(zeros: [2, 1, 4, 4]), [0, 1], verbose: false) }
        XCTAssertTrue(message?.contains("Dense 'head'") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("add Flatten() first") ?? false, message ?? "no error")
        // Built for [?, 2]: data of another rank is an error, the model still works afterwards.
        XCTAssertNotNil(errorMessage { _ = try model.predict(NDArray(zeros: [6, 2, 1])) })
        XCTAssertEqual(try model.predict(x).shape, [6, 3])
    }

    /// Regression: `compile` after the model was built was silently ignored. Now, as in Keras,
    /// it rebuilds the training graph with the new optimizer and loss, keeping the weights.
    func testCompileAfterBuildTakesEffectAndKeepsTheWeights() throws {
        manualSeed(3)
        let (x, y) = blobs(30)
        let model = Sequential([Dense(8, activation: .relu), Dense(3)])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        _ = try model.fit(x, y, epochs: 2, batchSize: 10, shuffle: false, verbose: false)
        let before = try model.predict(x)
        // A learning rate of 0 must leave the weights alone: under the old behaviour the first
        // optimizer (rate 0.1) kept training.
        model.compile(optimizer: .sgd(learningRate: 0), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        XCTAssertEqual(try model.predict(x).scalars, before.scalars, "the weights survive the recompile")
        let history = try model.fit(x, y, epochs: 1, batchSize: 10, shuffle: false, verbose: false)
        XCTAssertNotNil(history.history["accuracy"], "the new metrics are used")
        XCTAssertEqual(try model.predict(x).scalars, before.scalars, "the new optimizer (rate 0) is used")
    }

    func testMismatchedDataIsAnError() {
        let model = Sequential([Dense(2)])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        XCTAssertThrowsError(try model.fit(NDArray(zeros: [4, 3]), [0, 1], verbose: false))
    }

    /// Layers take their output shapes from the core's shape rules; a rule's error names the layer.
    func testALayerWhoseShapeRuleFailsIsAnErrorNamingTheLayer() {
        let model = Sequential([Conv2D(2, kernelSize: 5, name: "stem"), Flatten(), Dense(2)])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        let message = errorMessage { try model.fit(NDArray(zeros: [4, 1, 3, 3]), [0, 1, 0, 1], epochs: 1, verbose: false) }
        XCTAssertTrue(message?.contains("Conv2D 'stem' (conv2d)") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("kernel 5 is larger than the input (3)") ?? false, message ?? "no error")
        let pooled = Sequential([MaxPooling2D(poolSize: 4), Flatten(), Dense(2)])
        pooled.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        let poolMessage = errorMessage { try pooled.fit(NDArray(zeros: [2, 1, 3, 3]), [0, 1], epochs: 1, verbose: false) }
        XCTAssertTrue(poolMessage?.contains("MaxPooling2D (max_pool2d): kernel 4 is larger than the input (3)") ?? false, poolMessage ?? "no error")
    }

    /// compile accepts RMSprop and AdamW (Keras' names and defaults), trains with their train ops.
    func testCompileAcceptsRMSpropAndAdamW() throws {
        let (x, y) = blobs(30)
        let choices: [(Sequential.Optimizer, OptimizerUpdate.Rule, String)] = [
            (.rmsprop(), .rmsprop(learningRate: 1e-3, decay: 0.9, momentum: 0, epsilon: 1e-7), "RMSProp"),
            (.rmsprop(learningRate: 0.01, rho: 0.8, momentum: 0.5), .rmsprop(learningRate: 0.01, decay: 0.8, momentum: 0.5, epsilon: 1e-7), "RMSProp"),
            (.adamW(), .adamW(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004), "AdamW"),
            (.adamW(learningRate: 0.02, weightDecay: 0.01), .adamW(learningRate: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01), "AdamW"),
        ]
        for (choice, rule, name) in choices {
            XCTAssertEqual(choice.trainingOptimizer.rule, rule)
            manualSeed(8)
            let model = Sequential([Dense(8, activation: .relu), Dense(3)])
            model.compile(optimizer: choice, loss: .sparseCategoricalCrossentropy(fromLogits: true))
            let history = try model.fit(x, y, epochs: 4, batchSize: 10, shuffle: false, verbose: false)
            XCTAssertEqual(model.built?.trainOp.name, name)
            XCTAssertLessThan(history.loss.last!, history.loss.first!, "\(name): the loss must fall")
        }
    }
}
