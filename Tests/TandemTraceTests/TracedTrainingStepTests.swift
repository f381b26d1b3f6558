import XCTest
@testable import TandemTrace

final class TracedTrainingStepTests: XCTestCase {
    /// Runs `steps` eager steps and `steps` traced steps from the same weights on the same batches,
    /// and compares the losses of every step and the final parameters.
    func checkTracedStepsMatchEager(
        makeModel: () -> Module, makeOptimizer: ([Tensor]) -> Optimizer, inputShape: [Int], steps: Int = 5,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let eagerModel = makeModel()
        let tracedModel = makeModel()
        let batches = (0..<steps).map { i in
            (testTensor(inputShape, seed: UInt64(100 + i)), Tensor(labels: (0..<inputShape[0]).map { ($0 + i) % 3 }))
        }
        let eagerOptimizer = makeOptimizer(eagerModel.parameters)
        var eagerLosses: [Float] = []
        for (x, y) in batches {
            eagerOptimizer.zeroGrad()
            let loss = crossEntropy(eagerModel(x), y)
            loss.backward()
            eagerOptimizer.step()
            eagerLosses.append(loss.item())
        }
        let train = try traceTrainingStep(
            tracedModel, optimizer: makeOptimizer(tracedModel.parameters), example: batches[0].0, target: batches[0].1
        ) { crossEntropy($0, $1) }
        let tracedLosses = try batches.map { try train.step($0.0, $0.1) }
        assertClose(tracedLosses, eagerLosses, tolerance: 1e-5, "losses", file: file, line: line)
        try train.updateModuleParameters()
        for (e, t) in zip(eagerModel.parameters, tracedModel.parameters) {
            assertClose(t.array.scalars, e.array.scalars, tolerance: 1e-5, "parameters", file: file, line: line)
        }
        XCTAssertNotEqual(eagerLosses.first, eagerLosses.last, file: file, line: line)
    }

    func testSGDWithMomentumMatchesEagerSteps() throws {
        try checkTracedStepsMatchEager(
            makeModel: { makeMLP(seed: 1) }, makeOptimizer: { SGD($0, lr: 0.1, momentum: 0.9) }, inputShape: [6, 12])
    }

    func testPlainAndNesterovSGDMatchEagerSteps() throws {
        try checkTracedStepsMatchEager(
            makeModel: { makeMLP(seed: 2) }, makeOptimizer: { SGD($0, lr: 0.05) }, inputShape: [6, 12])
        try checkTracedStepsMatchEager(
            makeModel: { makeMLP(seed: 2) }, makeOptimizer: { SGD($0, lr: 0.05, momentum: 0.5, nesterov: true) },
            inputShape: [6, 12])
    }

    func testAdamMatchesEagerStepsOnACNN() throws {
        try checkTracedStepsMatchEager(
            makeModel: { makeCNN(seed: 3) }, makeOptimizer: { Adam($0, lr: 0.01) }, inputShape: [4, 1, 10, 10])
    }

    func testUnsupportedOptimizersAndShapesAreErrors() throws {
        let model = makeMLP()
        let x = testTensor([2, 12])
        let y = Tensor(labels: [0, 1])
        XCTAssertThrowsError(try traceTrainingStep(model, optimizer: SGD(model.parameters, lr: 0.1, weightDecay: 0.01), example: x, target: y) {
            crossEntropy($0, $1)
        }) { XCTAssertTrue("\($0)".contains("weightDecay 0.01"), "\($0)") }
        XCTAssertThrowsError(try traceTrainingStep(model, optimizer: RMSprop(model.parameters), example: x, target: y) {
            crossEntropy($0, $1)
        }) { XCTAssertTrue("\($0)".contains("RMSprop"), "\($0)") }
        let train = try traceTrainingStep(model, optimizer: SGD(model.parameters, lr: 0.1), example: x, target: y) {
            crossEntropy($0, $1)
        }
        XCTAssertThrowsError(try train.step(testTensor([3, 12]), Tensor(labels: [0, 1, 2]))) {
            XCTAssertTrue("\($0)".contains("TracedTrainingStep.step"), "\($0)")
        }
        XCTAssertThrowsError(try traceTrainingStep(model, optimizer: SGD(model.parameters, lr: 0.1), example: x, target: y) {
            $0.detach().sum() + crossEntropy($0, $1)
        }) { XCTAssertTrue("\($0)".contains("detach()"), "\($0)") }
    }
}
