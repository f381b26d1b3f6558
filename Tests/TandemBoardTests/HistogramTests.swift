import XCTest
@testable import TandemBoard

final class HistogramTests: XCTestCase {
    func testDefaultLimitsAreTensorFlows() {
        let limits = Histogram.defaultLimits
        XCTAssertEqual(limits.count % 2, 1)
        let middle = limits.count / 2
        XCTAssertEqual(limits[middle], 0)
        XCTAssertEqual(limits[middle + 1], 1e-12)
        XCTAssertEqual(limits.last, Double.greatestFiniteMagnitude)
        XCTAssertEqual(limits.first, -Double.greatestFiniteMagnitude)
        for i in (middle + 1)..<(limits.count - 2) { XCTAssertEqual(limits[i + 1], limits[i] * 1.1, accuracy: limits[i] * 1e-9) }
        XCTAssertGreaterThanOrEqual(limits[limits.count - 2], 1e20 / 1.1)
        XCTAssertLessThan(limits[limits.count - 2], 1e20)
    }

    func testCountsMatchANaiveScan() {
        let values: [Float] = [-3, -0.5, 0, 0, 1e-13, 0.25, 0.25, 2, 7.5, 1e6]
        let histogram = Histogram(values)
        let limits = Histogram.defaultLimits
        var naive = [Double](repeating: 0, count: limits.count)
        for v in values {
            // The first limit above the value (TensorFlow's upper_bound), by a linear scan.
            let index = limits.firstIndex { $0 > Double(v) }!
            naive[index] += 1
        }
        XCTAssertEqual(histogram.counts, naive)
        XCTAssertEqual(histogram.min, -3)
        XCTAssertEqual(histogram.max, 1e6)
        XCTAssertEqual(histogram.count, 10)
        XCTAssertEqual(histogram.sum, values.reduce(0) { $0 + Double($1) }, accuracy: 1e-9)
        XCTAssertEqual(histogram.sumOfSquares, values.reduce(0) { $0 + Double($1) * Double($1) }, accuracy: 1e-3)

        let proto = histogram.proto
        XCTAssertEqual(proto.bucket.count, proto.bucketLimit.count)
        XCTAssertEqual(proto.bucket.reduce(0, +), 10)
        XCTAssertGreaterThan(proto.bucket.first!, 0)
        XCTAssertGreaterThan(proto.bucket.last!, 0)
        XCTAssertGreaterThan(proto.bucketLimit.last!, 1e6)
    }
}
