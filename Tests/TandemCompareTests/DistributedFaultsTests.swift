import XCTest

@testable import TandemCompare

/// The distributed faults run as two-rank jobs: each must be caught with the ranks and the step
/// named, and its fault-free twin must run without a word.
final class DistributedFaultsTests: XCTestCase {
    override func setUpWithError() throws {
        guard MPILauncher() != nil, MPILauncher.tandemExecutable() != nil else {
            throw XCTSkip("mpirun or the tandem executable not found: the distributed faults need two ranks")
        }
    }

    func testUnevenBatchesBecomeAnErrorNamingTheRanksAndTheStep() {
        for frontend in ["eager", "graph"] {
            let run = DistributedFaults.run(.unevenBatches, frontend: frontend)
            let r = run.result
            XCTAssertEqual(r.when, .run, "\(frontend): \(r.message)\n\(run.output)")
            for fragment in ["uneven inputs", "rank 1", "rank 0", "step 3", "its last step was 2"] {
                XCTAssertTrue(r.message.contains(fragment), "\(frontend): '\(fragment)' missing from \(r.message)")
            }
            XCTAssertTrue(r.namesOp, r.message)
            // A hang would never end; the error must come within a few seconds of the partner leaving.
            let seconds = try? XCTUnwrap(run.detectionSeconds, "\(frontend): no detection time")
            XCTAssertLessThan(seconds ?? .infinity, 5, "\(frontend)")
            print("\(frontend): uneven batches -> error \(String(format: "%.3f", seconds ?? -1)) s after rank 1 left its loop "
                + "(job \(String(format: "%.1f", run.seconds)) s)")
        }
    }

    func testReplicasThatDifferAreCaughtAtTheFirstStep() {
        for frontend in ["eager", "graph"] {
            let r = DistributedFaults.run(.replicasDiffer, frontend: frontend).result
            XCTAssertEqual(r.when, .run, "\(frontend): \(r.message)")
            XCTAssertTrue(r.message.contains("differ across ranks at step 1") && r.message.contains("rank 1"), r.message)
            XCTAssertTrue(r.namesOp && r.namesShapes, "\(frontend): \(r.message)")
        }
    }

    func testTheFaultFreeTwinsReportNothing() {
        for fault in [Fault.unevenBatches, .replicasDiffer] {
            for frontend in ["eager", "graph"] {
                let run = DistributedFaults.run(fault, frontend: frontend, twin: true)
                XCTAssertEqual(run.result.when, .never, "\(fault) \(frontend) twin: \(run.result.message)\n\(run.output)")
            }
        }
    }

    func testAMessageReadBackKeepsItsText() {
        let text = "node 'a': allreduce: uneven inputs (at X.swift:3)"
        XCTAssertEqual(DistributedFaults.error(from: text).description, text)
    }
}
