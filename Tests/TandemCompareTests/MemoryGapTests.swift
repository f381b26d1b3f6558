import XCTest

@testable import TandemCompare

/// The memory sentence says what the three measured peaks show, and only that.
final class MemoryGapTests: XCTestCase {
    func testSplitsAChoiceFromPlanning() {
        // Eager 10 MB, 3 MB of it weight gradients (the recipe's peak is 7 MB), graph 5 MB.
        let text = MemoryGap.sentence(eagerPeakBytes: 10_000_000, stepInBackwardPeakBytes: 7_000_000, graphPeakBytes: 5_000_000)
        XCTAssertTrue(text.contains("5.00 MB lower (graph/eager 0.50)"), text)
        XCTAssertTrue(text.contains("3.00 MB of eager's peak is weight gradients kept until step(), a choice either frontend could make"), text)
        XCTAssertTrue(text.contains("The remaining 2.00 MB is planning and fusion"), text)
    }

    func testPeakBeforeTheGradientsExist() {
        let text = MemoryGap.sentence(eagerPeakBytes: 11_000_000, stepInBackwardPeakBytes: 11_000_000, graphPeakBytes: 10_000_000)
        XCTAssertTrue(text.contains("None of it is weight gradients"), text)
        XCTAssertTrue(text.contains("The remaining 1.00 MB is planning and fusion"), text)
    }

    func testGraphHigher() {
        let text = MemoryGap.sentence(eagerPeakBytes: 25_000_000, stepInBackwardPeakBytes: 20_000_000, graphPeakBytes: 31_000_000)
        XCTAssertTrue(text.contains("6.00 MB higher (graph/eager 1.24)"), text)
        XCTAssertTrue(text.contains("5.00 MB of eager's peak is weight gradients"), text)
        XCTAssertTrue(text.contains("Planning costs 11.00 MB here"), text)
    }

    func testNotMeasured() {
        let text = MemoryGap.sentence(eagerPeakBytes: 10_000_000, stepInBackwardPeakBytes: 0, graphPeakBytes: 5_000_000)
        XCTAssertTrue(text.contains("not separated"), text)
    }
}
