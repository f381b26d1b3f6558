import XCTest

@testable import TandemDistributed
import TandemEager

/// A process group of one (what `ProcessGroup.world` is without `mpirun`): every collective
/// returns its input, so training code runs unchanged in one process.
final class ProcessGroupTests: XCTestCase {
    let group = ProcessGroup.single()

    func testAGroupOfOneHasRankZeroOfOne() {
        XCTAssertEqual(group.rank, 0)
        XCTAssertEqual(group.size, 1)
        XCTAssertEqual(group.localRank, 0)
        XCTAssertEqual(group.localSize, 1)
        XCTAssertFalse(group.usesMPI)
        XCTAssertFalse(group.overlapsCommunication)
    }

    func testTheTestProcessIsNotAnMPIJob() {
        // `swift test` is not started by mpirun, so the world is a group of one.
        XCTAssertFalse(ProcessGroup.launchedByMPI)
        XCTAssertEqual(ProcessGroup.world.size, 1)
    }

    func testEveryReductionOfOneRankIsTheIdentity() throws {
        for op in ReduceOp.allCases {
            var values = NDArray(shape: [2, 2], scalars: [1, -2, 3.5, 0])
            try group.allreduce(&values, op: op)
            XCTAssertEqual(values.scalars, [1, -2, 3.5, 0], "\(op)")
            XCTAssertEqual(values.shape, [2, 2])
            XCTAssertEqual(try group.allreduce([4, 5], op: op), [4, 5])
        }
    }

    func testAsyncAllreduceCopiesItsInput() throws {
        var mine = NDArray(shape: [3], scalars: [1, 2, 3])
        let work = group.allreduceAsync(mine, op: .average)
        mine = NDArray(shape: [3], scalars: [9, 9, 9])
        XCTAssertEqual(try work.wait().scalars, [1, 2, 3])
        XCTAssertTrue(work.isCompleted)
        XCTAssertEqual(mine.scalars, [9, 9, 9])
    }

    func testBroadcastAndAllgather() throws {
        var values = NDArray(shape: [2], scalars: [7, 8])
        try group.broadcast(&values, from: 0)
        XCTAssertEqual(values.scalars, [7, 8])
        XCTAssertEqual(try group.allgather([1, 2]), [[1, 2]])
        try group.barrier()
    }

    func testABroadcastFromARankOutsideTheGroupIsAnError() {
        var values = NDArray(zeros: [1])
        XCTAssertThrowsError(try group.broadcast(&values, from: 1)) { error in
            XCTAssertEqual("\(error)", "broadcast: root rank 1 is not in 0..<1")
        }
    }

    func testEagerTensorsReduceInPlace() throws {
        let tensor = Tensor(shape: [2], scalars: [3, 4])
        try group.allreduce(tensor, op: .average)
        try group.broadcast(tensor)
        XCTAssertEqual(tensor.scalars, [3, 4])
    }
}
