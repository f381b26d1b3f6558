import Foundation
import XCTest
@testable import TandemCompare

final class ComparisonTests: XCTestCase {
    func testShortMLPComparisonAgreesToFloatRounding() throws {
        var comparison = Comparison(
            spec: .mlp([784, 32, 10]), dataset: .synthetic(count: 128), steps: 8, batchSize: 16, seed: 0)
        comparison.showProgress = false
        let result = try comparison.runModel()
        XCTAssertEqual(result.eager.losses.count, 8)
        XCTAssertEqual(result.graph.losses.count, 8)
        XCTAssertLessThan(result.maxLossDiff, 1e-4)
        XCTAssertNil(result.firstDivergentLayer)
        XCTAssertEqual(
            result.activationDiffs.map(\.layer).suffix(3),
            ["loss: crossEntropy", "eager Module path: logits", "traced Module (graph execution): logits"])
        // Training works: the loss falls (synthetic labels are learnable).
        XCTAssertLessThan(result.eager.losses.suffix(3).reduce(0, +), result.eager.losses.prefix(3).reduce(0, +))
        for f in [result.eager, result.graph] {
            XCTAssertGreaterThan(f.peakBytes, 0, f.frontend)
            XCTAssertGreaterThan(f.msPerStep, 0, f.frontend)
            XCTAssertFalse(f.timeline.isEmpty, f.frontend)
        }
    }

    func testShortCNNComparisonAgrees() throws {
        var comparison = Comparison(spec: .simpleCNN, dataset: .synthetic(count: 32), steps: 3, batchSize: 4, seed: 1)
        comparison.showProgress = false
        let result = try comparison.runModel()
        XCTAssertLessThan(result.maxLossDiff, 1e-4)
        XCTAssertEqual(result.activationDiffs.count, ModelSpec.simpleCNN.layers.count + 3)
    }

    func testReportJSONFromARealRunHasTheRequiredKeys() throws {
        var comparison = Comparison(spec: .mlp([784, 16, 10]), dataset: .synthetic(count: 64), steps: 4, batchSize: 8, seed: 0)
        comparison.showProgress = false
        comparison.includeFaults = false
        let report = try comparison.run()
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        XCTAssertEqual(root["model"] as? String, "mlp")
        XCTAssertLessThan(try XCTUnwrap(root["max_loss_diff"] as? Double), 1e-4)
        let frontends = try XCTUnwrap(root["frontends"] as? [String: [String: Any]])
        XCTAssertEqual((frontends["graph"]?["losses"] as? [Double])?.count, 4)
        XCTAssertNotNil(frontends["eager"]?["peak_bytes"] as? Int)
    }

    /// The API.md example, shortened: bundled MNIST, fault catalogue included, terminal table.
    func testAPIExampleRunsOnTheBundledData() throws {
        let spec = ModelSpec.mlp([784, 16, 10])
        let report = try Comparison(spec: spec, dataset: .mnist(), steps: 2, batchSize: 8, seed: 0).run()
        let table = report.table()
        XCTAssertTrue(table.contains("Debuggability"))
        XCTAssertEqual(report.scorecard.count, Fault.allCases.count * 2)
        XCTAssertLessThan(report.maxLossDiff, 1e-4)
    }

    func testABatchLargerThanTheDatasetIsAnErrorNotACrash() {
        let comparison = Comparison(spec: .mlp([784, 4, 10]), dataset: .synthetic(count: 8), steps: 1, batchSize: 9)
        XCTAssertThrowsError(try comparison.runModel()) { error in
            guard case .invalidValue(let op, let reason, _)? = error as? TandemError else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "Comparison")
            XCTAssertTrue(reason.contains("batch size 9"), reason)
        }
    }

    func testScheduleIsDeterministicAndCoversEpochs() {
        let data = ComparisonDataset.synthetic(count: 10)
        let a = data.schedule(steps: 7, batchSize: 3, seed: 4)
        XCTAssertEqual(a, data.schedule(steps: 7, batchSize: 3, seed: 4))
        XCTAssertEqual(a.count, 7)
        // 3 full batches per epoch of 10 (the last example of each epoch dropped), no repeats within an epoch.
        XCTAssertEqual(Set(a[0] + a[1] + a[2]).count, 9)
    }
}
