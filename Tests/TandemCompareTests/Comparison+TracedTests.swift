import Foundation
import XCTest
@testable import TandemCompare

final class ComparisonTracedTests: XCTestCase {
    func testTracedColumnMatchesEagerOnTheMLP() throws {
        var comparison = Comparison(spec: .mlp([784, 32, 10]), dataset: .synthetic(count: 128), steps: 6, batchSize: 16, seed: 0)
        comparison.showProgress = false
        let result = try comparison.runModel()
        let traced = try XCTUnwrap(result.traced)
        XCTAssertEqual(traced.frontend, "traced")
        XCTAssertEqual(traced.losses.count, 6)
        XCTAssertLessThan(try XCTUnwrap(result.tracedLossDiff), 1e-5)
        XCTAssertNotEqual(traced.losses.first, traced.losses.last, "the traced step trains")
        XCTAssertGreaterThan(traced.msPerStep, 0)
        XCTAssertGreaterThan(traced.peakBytes, 0)
        XCTAssertFalse(traced.timeline.isEmpty)
        let logits = try XCTUnwrap(result.activationDiffs.last)
        XCTAssertEqual(logits.layer, "traced Module (graph execution): logits")
        XCTAssertLessThan(logits.maxAbsDiff, 1e-5)
    }

    func testTracedColumnMatchesEagerOnTheCNN() throws {
        var comparison = Comparison(spec: .simpleCNN, dataset: .synthetic(count: 32), steps: 3, batchSize: 4, seed: 1)
        comparison.showProgress = false
        let result = try comparison.runModel()
        XCTAssertLessThan(try XCTUnwrap(result.tracedLossDiff), 1e-5)
    }

    func testTracedColumnIsInTheTableJSONAndHTML() throws {
        var comparison = Comparison(spec: .mlp([784, 16, 10]), dataset: .synthetic(count: 64), steps: 4, batchSize: 8, seed: 0)
        comparison.showProgress = false
        comparison.includeFaults = false
        let report = try comparison.run()
        let table = report.table()
        XCTAssertTrue(table.contains("| traced") || table.contains(" traced "), table)
        XCTAssertTrue(table.contains("mlp: traced (eager code, graph execution) matches eager to max |Δloss|"), table)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let frontends = try XCTUnwrap(root["frontends"] as? [String: [String: Any]])
        XCTAssertEqual(Set(frontends.keys), ["eager", "graph", "traced"])
        XCTAssertEqual((frontends["traced"]?["losses"] as? [Double])?.count, 4)
        XCTAssertNotNil(frontends["traced"]?["ms_per_step"] as? Double)
        XCTAssertLessThan(try XCTUnwrap(root["traced_max_loss_diff"] as? Double), 1e-5)
        let html = HTMLReport(report).html()
        XCTAssertTrue(html.contains("eager vs traced"))
        XCTAssertTrue(html.contains("traced: max |Δloss| vs eager"))
    }

    func testWithoutTheTracedColumnTheReportHasTwoFrontends() throws {
        var comparison = Comparison(spec: .mlp([784, 8, 10]), dataset: .synthetic(count: 32), steps: 2, batchSize: 8, seed: 0)
        comparison.showProgress = false
        comparison.includeTraced = false
        let result = try comparison.runModel()
        XCTAssertNil(result.traced)
        XCTAssertEqual(result.frontends.map(\.frontend), ["eager", "graph"])
        XCTAssertNil(ComparisonReport.modelObject(result)["frontends"].flatMap { ($0 as? [String: Any])?["traced"] })
    }
}
