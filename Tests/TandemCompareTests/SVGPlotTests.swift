import XCTest
@testable import TandemCompare

final class SVGPlotTests: XCTestCase {
    func testNiceTicksCoverTheRangeWithRoundSteps() {
        let ticks = SVGPlot.niceTicks(0.13, 2.31, count: 5)
        XCTAssertLessThanOrEqual(ticks.first!, 0.13)
        XCTAssertGreaterThanOrEqual(ticks.last!, 2.31)
        // Heckbert: range 2.18 -> nice 5, / 4 -> 1.25 -> rounded step 1.
        XCTAssertEqual(ticks, [0, 1, 2, 3])
    }

    func testLineChartDrawsOnePathPerSeriesAndBreaksAtNaN() {
        let svg = SVGPlot.lineChart(
            title: "t", xLabel: "x", yLabel: "y",
            series: [
                .init(name: "a", color: "#000", points: [(0, 1), (1, .nan), (2, 3)]),
                .init(name: "b", color: "#111", points: [(0, 2), (2, 2)]),
            ])
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 2)
        // The NaN lifts the pen: series a has two "M" moves.
        let a = svg.components(separatedBy: "<path d=\"")[1].prefix { $0 != "\"" }
        XCTAssertEqual(a.filter { $0 == "M" }.count, 2)
    }

    func testTextIsEscaped() {
        let svg = SVGPlot.barChart(title: "<a & b>", unit: "ms", groups: ["g"], series: [("s", "#000")], values: [[1]])
        XCTAssertTrue(svg.contains("&lt;a &amp; b&gt;"))
        XCTAssertFalse(svg.contains("<a & b>"))
    }

    func testEmptyChartSaysNoData() {
        XCTAssertTrue(SVGPlot.lineChart(title: "t", xLabel: "", yLabel: "", series: []).contains("no data"))
    }
}
