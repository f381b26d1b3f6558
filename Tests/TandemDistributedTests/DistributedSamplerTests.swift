import XCTest

@testable import TandemDistributed
import TandemEager

/// `DistributedSampler`: rank r gets the r-th of every `size` examples of one shared order, all
/// shards have the same length, and the shards of a global batch are the single-process batch.
final class DistributedSamplerTests: XCTestCase {
    func sampler(_ count: Int, rank: Int, replicas: Int = 2, shuffle: Bool = true, dropLast: Bool = false) -> DistributedSampler {
        DistributedSampler(count: count, group: .single(), replicas: replicas, rank: rank, shuffle: shuffle, seed: 3, dropLast: dropLast)
    }

    func testRankRTakesEveryRthExampleOfTheOrder() {
        XCTAssertEqual(sampler(8, rank: 0, shuffle: false).epochIndices(), [0, 2, 4, 6])
        XCTAssertEqual(sampler(8, rank: 1, shuffle: false).epochIndices(), [1, 3, 5, 7])
        XCTAssertEqual(sampler(9, rank: 2, replicas: 3, shuffle: false).epochIndices(), [2, 5, 8])
    }

    func testShardsArePaddedToTheSameLengthWithTheOrdersFirstExamples() {
        // PyTorch: indices += indices[:padding]; rank r takes indices[r::replicas].
        let shards = (0..<3).map { sampler(7, rank: $0, replicas: 3, shuffle: false) }
        XCTAssertEqual(shards.map(\.count), [3, 3, 3])
        XCTAssertEqual(shards.map { $0.epochIndices() }, [[0, 3, 6], [1, 4, 0], [2, 5, 1]])
    }

    func testDropLastTrimsTheOrder() {
        let shards = (0..<3).map { sampler(7, rank: $0, replicas: 3, shuffle: false, dropLast: true) }
        XCTAssertEqual(shards.map(\.count), [2, 2, 2])
        XCTAssertEqual(shards.map { $0.epochIndices() }, [[0, 3], [1, 4], [2, 5]])
    }

    func testEveryRankShufflesAlikeAndTheShardsCoverTheDataset() {
        let a = sampler(100, rank: 0), b = sampler(100, rank: 1)
        for _ in 0..<2 {
            let first = a.epochIndices(), second = b.epochIndices()
            XCTAssertEqual(Set(first).union(second), Set(0..<100))
            XCTAssertTrue(Set(first).isDisjoint(with: second))
        }
        // Epoch e is seeded with seed + e, so epochs differ and a later sampler can jump to one.
        let late = sampler(100, rank: 0)
        late.setEpoch(1)
        let again = sampler(100, rank: 0)
        let epoch0 = again.epochIndices(), epoch1 = again.epochIndices()
        XCTAssertNotEqual(epoch0, epoch1)
        XCTAssertEqual(late.epochIndices(), epoch1)
    }

    func testTheShardsOfAGlobalBatchInterleaveToThatBatch() {
        let batch = [42, 7, 19, 3, 88, 61]
        let zero = sampler(6, rank: 0).shard(batch), one = sampler(6, rank: 1).shard(batch)
        XCTAssertEqual(zero, [42, 19, 88])
        XCTAssertEqual(one, [7, 3, 61])
    }

    func testItFeedsADataLoader() {
        let data = TensorDataset(inputs: NDArray(shape: [5, 1], scalars: [0, 1, 2, 3, 4]), labels: [0, 1, 2, 3, 4])
        let loader = DataLoader(data, batchSize: 2, sampler: sampler(5, rank: 1, shuffle: false))
        XCTAssertEqual(loader.count, 2)
        XCTAssertEqual(loader.map { $0.1.scalars }, [[1, 3], [0]])
    }
}
