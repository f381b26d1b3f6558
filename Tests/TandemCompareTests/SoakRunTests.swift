import Foundation
import TandemKernels
import XCTest
@testable import TandemCompare

final class SoakRunTests: XCTestCase {
    /// 128 random images with labels, for a few quick steps of a small MLP.
    private func smallDataset() -> ComparisonDataset {
        let count = 128
        let generator = Generator(seed: 3)
        let images = NDArray(shape: [count, 1, 28, 28], scalars: generator.uniform(count: count * 784, high: 255))
        return ComparisonDataset(name: "random", images: images, labels: (0..<count).map { $0 % 10 })
    }

    func testSamplesTheCurveInBothFrontendsAndWritesItAsJSON() throws {
        for frontend in ReferenceTraining.Frontend.allCases {
            var soak = SoakRun(spec: .mlp([784, 16, 10]), frontend: frontend)
            soak.steps = 12
            soak.every = 5
            soak.batchSize = 16
            var seen: [SoakRun.Sample] = []
            let result = try soak.run(train: smallDataset()) { seen.append($0) }
            XCTAssertEqual(result.samples.map(\.step), [0, 5, 10, 12], "\(frontend)")
            XCTAssertEqual(seen, result.samples)
            XCTAssertEqual(result.warmUpStep, 2)  // ceil(12 * 0.1)
            XCTAssertEqual(result.steadySamples.map(\.step), [5, 10, 12])
            for sample in result.samples {
                XCTAssertGreaterThan(sample.residentBytes, 1_000_000)
                XCTAssertLessThan(sample.residentBytes, Int(ProcessInfo.processInfo.physicalMemory))
            }
            XCTAssertTrue(result.finalLoss.isFinite && result.finalLoss > 0)

            let data = try JSONSerialization.data(withJSONObject: result.jsonObject)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(object["frontend"] as? String, frontend.rawValue)
            let curve = try XCTUnwrap(object["curve"] as? [[String: Any]])
            XCTAssertEqual(curve.compactMap { $0["step"] as? Int }, [0, 5, 10, 12])
            XCTAssertEqual(curve.compactMap { $0["rss_bytes"] as? Int }, result.samples.map(\.residentBytes))
            let megabytes = try XCTUnwrap(curve.first?["rss_mb"] as? Double)
            XCTAssertEqual(megabytes, Double(result.samples[0].residentBytes) / 1e6, accuracy: 1e-9)
            XCTAssertNotNil(object["growth_mb_per_1000_steps"] as? Double)
        }
    }

    func testGrowthIsMeasuredAfterWarmUpWithALeastSquaresSlope() {
        // Warm-up jumps by 50 MB, then 2000 bytes per step plus alternating noise of +-100 bytes.
        let samples = stride(from: 0, through: 10_000, by: 1000).map { step in
            SoakRun.Sample(step: step, residentBytes: (step == 0 ? 0 : 50_000_000) + 2000 * step + (step / 1000 % 2 == 0 ? 100 : -100))
        }
        let result = SoakRun.Result(
            model: "mlp", frontend: .eager, steps: 10_000, samples: samples, source: .statm, warmUpStep: 1000,
            finalLoss: 0.1, seconds: 1)
        XCTAssertEqual(result.steadySamples.first?.step, 1000)
        // End minus the first steady sample: 2000 * 9000, the noise +100 - (-100).
        XCTAssertEqual(result.growthBytes, 18_000_200)
        // The slope by a naive loop over the ten steady points; the noise moves it by under 100 bytes.
        let xs = (1...10).map { Double($0 * 1000) }, ys = samples.dropFirst().map { Double($0.residentBytes) }
        let mx = xs.reduce(0, +) / 10, my = ys.reduce(0, +) / 10
        var sxy = 0.0, sxx = 0.0
        for i in 0..<10 { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) * (xs[i] - mx) }
        XCTAssertEqual(result.growthBytesPerThousandSteps, sxy / sxx * 1000, accuracy: 1e-6)
        XCTAssertEqual(result.growthBytesPerThousandSteps, 2_000_000, accuracy: 100)
    }

    func testRejectsBadSettings() {
        var soak = SoakRun(spec: .mlp([784, 4, 10]), frontend: .eager)
        soak.every = 0
        XCTAssertThrowsError(try soak.run(train: smallDataset())) { error in
            XCTAssertTrue("\(error)".contains("SoakRun"), "\(error)")
        }
        soak.every = 1
        soak.steps = 0
        XCTAssertThrowsError(try soak.run(train: smallDataset()))
        soak.steps = 1
        soak.warmUpFraction = .nan
        XCTAssertThrowsError(try soak.run(train: smallDataset()))
    }
}
