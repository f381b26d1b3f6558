import TandemKernels
import XCTest

/// The random generator (`Random/Generator.swift`): repeatable, with the right distributions.
final class GeneratorTests: XCTestCase {
    func testSameSeedSameSequence() {
        let a = Generator(seed: 42), b = Generator(seed: 42), c = Generator(seed: 43)
        let first = a.uniform(count: 100)
        XCTAssertEqual(first, b.uniform(count: 100))
        XCTAssertNotEqual(first, c.uniform(count: 100))
        a.seed(42)
        XCTAssertEqual(a.uniform(count: 100), first, "reseeding restarts the sequence")
        XCTAssertEqual(Generator(seed: 7).normal(count: 10), Generator(seed: 7).normal(count: 10))
        XCTAssertEqual(Generator(seed: 7).permutation(10), Generator(seed: 7).permutation(10))
    }

    func testManualSeedDrivesTheGlobalGenerator() {
        manualSeed(123)
        let first = Generator.global.uniform(count: 5)
        manualSeed(123)
        XCTAssertEqual(Generator.global.uniform(count: 5), first)
        manualSeed(123)
        let mask = try! Op.bernoulliMask(p: 0.5).evaluate([NDArray(zeros: [50])])
        manualSeed(123)
        XCTAssertEqual(try Op.bernoulliMask(p: 0.5).evaluate([NDArray(zeros: [50])]), mask)
    }

    func testUniformRangeAndMoments() {
        let values = Generator(seed: 1).uniform(count: 20000, low: -2, high: 3)
        XCTAssertTrue(values.allSatisfy { $0 >= -2 && $0 < 3 })
        let mean = values.reduce(0, +) / Float(values.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.05)  // std of the mean: 5 / sqrt(12 * 20000) = 0.01
        XCTAssertLessThan(values.min()!, -1.99)
        XCTAssertGreaterThan(values.max()!, 2.99)
    }

    func testNormalMoments() {
        let values = Generator(seed: 2).normal(count: 20000, mean: 3, std: 2).map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        XCTAssertEqual(mean, 3, accuracy: 0.06)  // 4 standard errors (2 / sqrt(20000) = 0.014)
        XCTAssertEqual(variance.squareRoot(), 2, accuracy: 0.05)
    }

    func testPermutationIsAPermutation() {
        let generator = Generator(seed: 3)
        for n in [0, 1, 2, 17, 1000] {
            let p = generator.permutation(n)
            XCTAssertEqual(p.sorted(), Array(0..<n))
        }
        XCTAssertNotEqual(generator.permutation(1000), Array(0..<1000), "shuffled, not the identity")
    }

    func testBernoulliMaskValuesAndRate() {
        manualSeed(5)
        let mask = try! Op.bernoulliMask(p: 0.25).evaluate([NDArray(zeros: [100, 100])]).scalars
        let scale: Float = 1 / 0.75
        XCTAssertTrue(mask.allSatisfy { $0 == 0 || $0 == scale })
        let kept = Float(mask.filter { $0 != 0 }.count) / Float(mask.count)
        XCTAssertEqual(kept, 0.75, accuracy: 0.02)
        XCTAssertEqual(try Op.bernoulliMask(p: 0).evaluate([NDArray(zeros: [10])]), NDArray(ones: [10]))
        XCTAssertEqual(try Op.bernoulliMask(p: 1).evaluate([NDArray(zeros: [10])]), NDArray(zeros: [10]))
    }
}
