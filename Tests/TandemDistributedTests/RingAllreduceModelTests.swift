import XCTest

@testable import TandemDistributed

final class RingAllreduceModelTests: XCTestCase {
    let link = RingAllreduceModel.Link(name: "test", latency: 10e-6, bandwidth: 1e9)

    func testTheClosedForm() {
        // 8 ranks, 1 MB: 2 * 7/8 * 1e6 / 1e9 = 1.75 ms of bandwidth, 2 * 7 * 10 µs = 0.14 ms of latency.
        XCTAssertEqual(RingAllreduceModel.seconds(bytes: 1_000_000, ranks: 8, link: link), 1.89e-3, accuracy: 1e-12)
        XCTAssertEqual(RingAllreduceModel.seconds(bytes: 1_000_000, ranks: 8, link: link, calls: 6), 1.75e-3 + 6 * 0.14e-3, accuracy: 1e-12)
        XCTAssertEqual(RingAllreduceModel.bandwidthSeconds(bytes: 1_000_000, ranks: 8, link: link), 1.75e-3, accuracy: 1e-12)
        XCTAssertEqual(RingAllreduceModel.seconds(bytes: 1_000_000, ranks: 1, link: link), 0)
    }

    func testTheBandwidthTermApproachesTwiceTheBytesAndTheLatencyTermGrowsLinearly() {
        let big = RingAllreduceModel.bandwidthSeconds(bytes: 1_000_000, ranks: 100_000, link: link)
        XCTAssertEqual(big, 2e-3, accuracy: 1e-7)
        let latency = { (n: Int) in RingAllreduceModel.seconds(bytes: 0, ranks: n, link: self.link) }
        XCTAssertEqual(latency(513) / latency(257), 2, accuracy: 1e-12)
    }

    func testFittingRecoversTheLinkFromExactTimes() throws {
        let samples = [1_000, 100_000, 4_000_000].map { (bytes: $0, seconds: RingAllreduceModel.seconds(bytes: $0, ranks: 2, link: link)) }
        let fitted = try XCTUnwrap(RingAllreduceModel.fit(samples, ranks: 2, name: "fit"))
        XCTAssertEqual(fitted.latency, link.latency, accuracy: 1e-12)
        XCTAssertEqual(fitted.bandwidth, link.bandwidth, accuracy: 1)
        XCTAssertNil(RingAllreduceModel.fit(Array(samples.prefix(1)), ranks: 2, name: "one sample"))
    }
}
