import XCTest

@testable import TandemEager

final class DataLoaderTests: XCTestCase {
    /// Ten examples whose single feature is their index.
    let dataset = TensorDataset(inputs: NDArray(shape: [10, 1], scalars: (0..<10).map(Float.init)), labels: Array(0..<10))

    func epoch(_ loader: DataLoader) -> [[Int]] {
        loader.map { inputs, labels in
            XCTAssertEqual(inputs.scalars.map(Int.init), labels.scalars.map(Int.init))
            return labels.scalars.map(Int.init)
        }
    }

    func testInOrderBatches() {
        let loader = DataLoader(dataset, batchSize: 4)
        XCTAssertEqual(loader.count, 3)
        XCTAssertEqual(epoch(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        let first = Array(loader)[0]
        XCTAssertEqual(first.0.shape, [4, 1])
        XCTAssertEqual(first.1.shape, [4])
    }

    func testSamplerChoosesTheExamplesAndTheirOrder() {
        /// Every third example, backwards; a new epoch shifts by one.
        final class EveryThird: Sampler {
            var epoch = 0
            var count: Int { 4 }
            func epochIndices() -> [Int] {
                defer { epoch += 1 }
                return [9, 6, 3, 0].map { ($0 + epoch) % 10 }
            }
        }
        let loader = DataLoader(dataset, batchSize: 3, sampler: EveryThird())
        XCTAssertEqual(loader.count, 2)
        XCTAssertEqual(epoch(loader), [[9, 6, 3], [0]])
        XCTAssertEqual(epoch(loader), [[0, 7, 4], [1]])
        XCTAssertEqual(DataLoader(dataset, batchSize: 3, sampler: EveryThird(), dropLast: true).count, 1)
    }

    func testDropLast() {
        let loader = DataLoader(dataset, batchSize: 4, dropLast: true)
        XCTAssertEqual(loader.count, 2)
        XCTAssertEqual(epoch(loader), [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    func testShuffleIsSeededAndReshufflesEachEpoch() {
        let a = DataLoader(dataset, batchSize: 3, shuffle: true, seed: 7)
        let b = DataLoader(dataset, batchSize: 3, shuffle: true, seed: 7)
        let a1 = epoch(a), a2 = epoch(a)
        XCTAssertEqual(a1, epoch(b), "same seed, same order")
        XCTAssertEqual(a2, epoch(b), "and the same second epoch")
        XCTAssertNotEqual(a1, a2, "a new order every epoch")
        XCTAssertEqual(a1.flatMap { $0 }.sorted(), Array(0..<10), "every example once")
        XCTAssertEqual(a1.map(\.count), [3, 3, 3, 1])
        XCTAssertNotEqual(epoch(DataLoader(dataset, batchSize: 3, shuffle: true, seed: 8)), a1)
    }

    func testShuffleWithoutSeedFollowsManualSeed() {
        manualSeed(3)
        let first = epoch(DataLoader(dataset, batchSize: 5, shuffle: true))
        manualSeed(3)
        XCTAssertEqual(epoch(DataLoader(dataset, batchSize: 5, shuffle: true)), first)
    }

    func testMNISTDataset() throws {
        let test = try MNISTDataset(split: .test, flatten: true)
        XCTAssertEqual(test.count, 1000)
        let loader = DataLoader(test, batchSize: 64, dropLast: true)
        var iterator = loader.makeIterator()
        let (images, labels) = iterator.next()!
        XCTAssertEqual(images.shape, [64, 784])
        XCTAssertEqual(labels.shape, [64])
        XCTAssertTrue(images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertTrue(labels.scalars.allSatisfy { (0...9).contains(Int($0)) })
        XCTAssertEqual(try MNISTDataset(split: .test).batch([0, 1]).inputs.shape, [2, 1, 28, 28])
    }
}
