import Foundation
import XCTest

@testable import TandemDistributed
import TandemEager
import TandemKernels

/// DistributedDataParallel and module buffers (batch norm's running statistics and
/// `num_batches_tracked`): broadcast from rank 0 at construction, again before forwards that
/// follow a training step unless `broadcastBuffers: false`, and covered by the replica check.
///
/// The two-rank checks run in ``DistributedDataParallelBufferRankProbe``, which this test starts
/// as a two-rank `mpirun` job of the test binary itself; skipped when `mpirun` is missing.
final class DistributedDataParallelBuffersTests: XCTestCase {
    func testBuffersCarryTheModulePrefixAndOneRankChangesNothing() throws {
        manualSeed(3)
        let model = Sequential { Linear(3, 4); BatchNorm1d(4) }
        let wrapped = DistributedDataParallel(model, group: .single())
        XCTAssertEqual(wrapped.buffers.map(\.name), ["module.1.running_mean", "module.1.running_var", "module.1.num_batches_tracked"])
        XCTAssertTrue(wrapped.broadcastBuffers)
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) / 5 - 1 })
        _ = wrapped(x).sum()
        XCTAssertEqual(model.namedBuffers[2].1.scalars, [1], "a training forward counts one batch")
        XCTAssertFalse(DistributedDataParallel(model, group: .single(), broadcastBuffers: false).broadcastBuffers)
    }

    func testTwoRanksShareRankZerosBuffers() throws {
        guard ProcessGroup.world.size == 1 else { throw XCTSkip("already inside an MPI job") }
        guard let launcher = MPILauncher() else {
            throw XCTSkip("mpirun not found: install openmpi-bin (scripts/setup.sh installs it) to run the two-rank buffer test")
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0])
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("the test binary is not an executable here") }
        let run = try launcher.run(
            ranks: 2, executable: binary, arguments: ["TandemDistributedTests.DistributedDataParallelBufferRankProbe"],
            environment: ["TANDEM_DDP_BUFFER_PROBE": "1"], timeout: 240)
        XCTAssertEqual(run.status, 0, run.output)
        for rank in 0..<2 {
            XCTAssertTrue(run.output.contains("buffer probe rank \(rank) of 2 done"), "rank \(rank) did not finish:\n\(run.output)")
        }
    }
}

/// The ranks' side of ``DistributedDataParallelBuffersTests/testTwoRanksShareRankZerosBuffers()``:
/// runs only inside that two-rank job (skipped otherwise).
final class DistributedDataParallelBufferRankProbe: XCTestCase {
    /// Whether every rank holds the same values (fingerprints exchanged with an allgather).
    func identical(_ values: [NDArray], in group: ProcessGroup) throws -> Bool {
        let hashes = values.map(ReplicaCheck.fingerprint)
        let all = try group.allgatherBytes(hashes.withUnsafeBytes { Array($0) }, label: "probe")
        return all.allSatisfy { $0 == all[0] }
    }

    /// A Linear + BatchNorm1d model with the same parameters on every rank and running
    /// statistics that differ by rank.
    func makeModel(rank: Int) -> Sequential {
        manualSeed(5)
        let norm = BatchNorm1d(4)
        norm.runningMean.array = NDArray(shape: [4], scalars: Array(repeating: Float(rank + 1), count: 4))
        norm.numBatchesTracked.array = NDArray(Float(rank * 5))
        return Sequential { Linear(3, 4); norm }
    }

    /// This rank's batch: different on every rank, so local running statistics drift apart.
    func batch(rank: Int) -> Tensor {
        Tensor(shape: [6, 3], scalars: (0..<18).map { Float(($0 * (rank + 2)) % 7) / 3 - 1 })
    }

    func testRank() throws {
        guard ProcessInfo.processInfo.environment["TANDEM_DDP_BUFFER_PROBE"] == "1" else {
            throw XCTSkip("runs inside the two-rank job of DistributedDataParallelBuffersTests")
        }
        let group = ProcessGroup.world
        XCTAssertEqual(group.size, 2)
        let rank = group.rank
        group.timeout = 60

        // Construction: rank 0's buffers everywhere.
        let model = makeModel(rank: rank)
        let ddp = DistributedDataParallel(model, group: group)
        let buffers = model.namedBuffers.map(\.1)
        XCTAssertEqual(buffers[0].scalars, [1, 1, 1, 1], "rank \(rank): running_mean is rank 0's")
        XCTAssertEqual(buffers[2].scalars, [0], "rank \(rank): num_batches_tracked is rank 0's")

        // A training step on different batches moves each rank's running statistics its own
        // way; the next forward (here in evaluation) first broadcasts rank 0's.
        let optimizer = SGD(ddp.parameters, lr: 0.1)
        let y = ddp(batch(rank: rank))
        (y * y).mean().backward()
        optimizer.step()
        XCTAssertFalse(try identical(buffers.map(\.array), in: group), "rank \(rank): the local updates differ")
        ddp.eval()
        let evaluated = noGrad { ddp(batch(rank: 0)) }
        XCTAssertTrue(try identical(buffers.map(\.array), in: group), "rank \(rank): broadcast before the next forward")
        XCTAssertTrue(try identical([evaluated.array], in: group), "rank \(rank): every replica evaluates alike")

        // broadcastBuffers: false keeps each rank's own statistics (after the construction broadcast).
        let drifting = makeModel(rank: rank)
        let own = DistributedDataParallel(drifting, group: group, broadcastBuffers: false)
        XCTAssertEqual(drifting.namedBuffers[0].1.scalars, [1, 1, 1, 1], "rank \(rank): construction still broadcasts")
        let z = own(batch(rank: rank))
        (z * z).mean().backward()
        drifting.eval()
        _ = noGrad { own(batch(rank: 0)) }
        XCTAssertFalse(try identical(drifting.namedBuffers.map(\.1.array), in: group), "rank \(rank): no broadcast")

        // A buffer changed on one rank after wrapping is caught at the first step, with its name.
        let late = makeModel(rank: 0)
        let checkedModel = DistributedDataParallel(late, group: group)
        if rank == 1 { late.namedBuffers[1].1.array = NDArray(shape: [4], scalars: [2, 2, 2, 2]) }
        XCTAssertThrowsError(try checked { _ = checkedModel(batch(rank: rank)) }) { error in
            let text = "\(error)"
            for fragment in ["buffers differ across ranks at step 1", "'module.1.running_var' [4] on rank 1"] {
                XCTAssertTrue(text.contains(fragment), "rank \(rank): '\(fragment)' missing from \(text)")
            }
        }
        print("buffer probe rank \(rank) of \(group.size) done")
    }
}
