import XCTest
@testable import TandemTrace

final class ModuleExportONNXTests: XCTestCase {
    /// The eager module's output against the imported graph's, on an input the trace never saw.
    private func assertExportMatchesEager(_ model: Module, example: Tensor, input: Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = temporaryURL("module.onnx")
        try exportONNX(model, example: example, to: url)
        let imported = try Graph.importONNX(from: url)
        XCTAssertEqual(imported.inputs.count, 1, file: file, line: line)
        let expected = model(input).array
        let actual = try Session(graph: imported.graph).run(imported.outputs[0], feed: [imported.inputs[0]: input.array])
        XCTAssertEqual(actual.shape, expected.shape, file: file, line: line)
        XCTAssertLessThanOrEqual(maxAbsDiff(actual, expected), 1e-5, file: file, line: line)
    }

    func testMLPExportsThroughTrace() throws {
        manualSeed(3)
        let model = Sequential([Linear(6, 16), ReLU(), Linear(16, 8), Tanh(), Linear(8, 3), Sigmoid()])
        try assertExportMatchesEager(model, example: Tensor(zeros: [4, 6]), input: Tensor(wave([4, 6], phase: 1)))
    }

    func testCNNInEvalModeExportsThroughTrace() throws {
        manualSeed(4)
        let model = Sequential([
            Conv2d(1, 4, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2), Dropout(p: 0.3), Flatten(),
            Linear(4 * 4 * 4, 5),
        ])
        model.eval()
        try assertExportMatchesEager(model, example: Tensor(zeros: [2, 1, 8, 8]), input: Tensor(wave([2, 1, 8, 8], phase: 2)))
    }

    func testDropoutInTrainingModeIsNamed() throws {
        let model = Sequential([Linear(3, 3), Dropout(p: 0.5)])
        model.train()
        XCTAssertThrowsError(try exportONNX(model, example: Tensor(zeros: [2, 3]), to: temporaryURL("train.onnx"))) { error in
            XCTAssertTrue("\(error)".contains("bernoulli_mask"), "\(error)")
            XCTAssertTrue("\(error)".contains("eval mode"), "\(error)")
        }
    }
}
