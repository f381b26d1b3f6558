import XCTest

@testable import TandemEager

/// "Evaluating without eval()": a fault (train-mode batch norm and dropout under `noGrad`) and
/// its fault-free twins (eval() before evaluating; training with recording on).
final class DiagnosticsTrainingModeTests: XCTestCase {
    var printed: [String] = []
    var originalSink: ((String) -> Void)?

    override func setUp() {
        originalSink = Diagnostics.sink
        Diagnostics.reset()
        Diagnostics.sink = { [unowned self] in self.printed.append($0) }
    }

    override func tearDown() {
        Diagnostics.reset()
        Diagnostics.sink = originalSink!
    }

    private final class Net: Module {
        let fc = Linear(4, 3)
        let bn = BatchNorm1d(3)
        let drop = Dropout(p: 0.5)
        func forward(_ x: Tensor) -> Tensor { drop(bn(fc(x)).relu()) }
    }

    private let batch = Tensor(shape: [5, 4], scalars: sampleValues(20, seed: 1))

    func testEvaluatingInTrainingModeWarnsOncePerModuleWithTheCallersLine() {
        let model = Net()
        let line = #line + 1
        let outputs = noGrad { model(batch) }
        _ = noGrad { model(batch) }  // the same modules again: no repeat
        XCTAssertEqual(outputs.shape, [5, 3])
        XCTAssertEqual(Diagnostics.warnings.count, 2, "\(Diagnostics.warnings)")
        let batchNorm = Diagnostics.warnings.first { $0.contains("BatchNorm1d 'bn'") }
        let dropout = Diagnostics.warnings.first { $0.contains("Dropout 'drop'") }
        XCTAssertNotNil(batchNorm, "\(Diagnostics.warnings)")
        XCTAssertNotNil(dropout, "\(Diagnostics.warnings)")
        for warning in [batchNorm, dropout].compactMap({ $0 }) {
            XCTAssertTrue(warning.contains("TandemEagerTests/Diagnostics+TrainingModeTests.swift:\(line)"), warning)
            XCTAssertTrue(warning.contains("model.eval()"), warning)
        }
        XCTAssertEqual(printed, Diagnostics.warnings)
    }

    func testInsideSequentialTheLineIsTheOutermostCall() {
        let model = Sequential { Linear(4, 3); BatchNorm1d(3) }
        let line = #line + 1
        _ = noGrad { model(batch) }
        XCTAssertEqual(Diagnostics.warnings.count, 1)
        XCTAssertTrue(Diagnostics.warnings[0].contains("BatchNorm1d '1'"), Diagnostics.warnings[0])
        XCTAssertTrue(Diagnostics.warnings[0].contains("Diagnostics+TrainingModeTests.swift:\(line)"), Diagnostics.warnings[0])
    }

    func testCorrectEvaluationAndTrainingStayQuiet() {
        let model = Net()
        let optimizer = SGD(model.parameters, lr: 0.1)
        for _ in 0..<3 {
            optimizer.zeroGrad()
            model(batch).sum().backward()
            optimizer.step()
        }
        model.eval()
        _ = noGrad { model(batch) }
        model.train()
        _ = model(batch)
        XCTAssertEqual(Diagnostics.warnings, [])
    }
}
