import XCTest
@testable import TandemCompare

final class BenchmarkControlFlowTests: XCTestCase {
    /// The control-flow rows run (eager loop, graph loop with its gradient, loop overhead) and
    /// report positive medians in their units.
    func testControlFlowRowsRun() throws {
        var benchmark = Benchmark()
        benchmark.repetitions = 1
        let rows = try benchmark.controlFlowRows()
        XCTAssertEqual(rows.map(\.unit), ["ms", "ms", "ns"])
        XCTAssertTrue(rows[1].task.contains("whileLoop"))
        for row in rows { XCTAssertGreaterThan(row.median, 0, row.task) }
    }
}
