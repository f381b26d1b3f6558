import XCTest
@testable import TandemCompare

final class BenchmarkTests: XCTestCase {
    /// The CNN group alone: its two step rows (eager, graph), in ms, with positive medians and
    /// peak bytes at least those of the model's first activation ([8, 32, 26, 26] floats).
    func testCNNRowsRunAlone() throws {
        var benchmark = Benchmark()
        benchmark.repetitions = 1
        benchmark.stepsPerRepetition = 1
        benchmark.batchSize = 8
        benchmark.groups = ["cnn"]
        let rows = try benchmark.run(dataset: .synthetic(count: 16))
        XCTAssertEqual(rows.map(\.task), ["cnn step, eager", "cnn step, graph (passes on)"])
        for row in rows {
            XCTAssertEqual(row.unit, "ms")
            XCTAssertGreaterThan(row.median, 0, row.task)
            XCTAssertGreaterThanOrEqual(row.peakBytes ?? 0, 8 * 32 * 26 * 26 * 4, row.task)
        }
    }

    /// An unknown task group is an error naming the known ones, not an empty table.
    func testUnknownGroupIsAnError() {
        var benchmark = Benchmark()
        benchmark.groups = ["cnn", "resnet"]
        XCTAssertThrowsError(try benchmark.run(dataset: .synthetic(count: 80))) { error in
            guard case .invalidValue(let op, let reason, _)? = error as? TandemError else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "Benchmark")
            XCTAssertTrue(reason.contains("'resnet'") && reason.contains("controlflow"), reason)
        }
    }
}
