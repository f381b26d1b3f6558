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

/// The verdict from the ranks' reports, without a job: a fault counts as detected only by the
/// diagnostic meant for it (its code), whatever the message says; a twin's every error counts.
final class DistributedFaultsVerdictTests: XCTestCase {
    typealias Record = RankProbe.Record
    typealias Event = RankProbe.Event

    func records(_ rank0: [Event], _ rank1: [Event] = []) -> [Record] {
        [Record(rank: 0, errors: rank0, faultFile: "Programs.swift", faultLine: 12), Record(rank: 1, errors: rank1)]
    }

    let uneven = TandemError.distributed(
        op: "allreduce", reason: "uneven inputs: rank 1 (host) finished after 4 collectives (its last step was 2), while rank 0 "
            + "is at step 3 and waits for it in allreduce #5, which can never complete", location: nil)
    let timeout = TandemError.distributed(op: "allreduce", reason: "rank 0 waited 60 s in allreduce #5 without it completing", location: nil)

    func event(_ error: TandemError) -> Event {
        Event(message: "\(error)", phase: "run", time: 1, diagnostic: DistributedDiagnostic(error)?.rawValue)
    }

    func testTheMeantDiagnosticIsADetectionWhateverRankReportsIt() {
        let r = DistributedFaults.verdict(.unevenBatches, frontend: "eager", twin: false, records: records([event(timeout)], [event(uneven)]))
        XCTAssertEqual(r.when, .run)
        XCTAssertEqual(r.message, uneven.description)
        XCTAssertTrue(r.namesOp)
    }

    func testAnotherErrorIsNoDetection() {
        let r = DistributedFaults.verdict(.unevenBatches, frontend: "graph", twin: false, records: records([event(timeout)]))
        XCTAssertEqual(r.when, .never)
        XCTAssertEqual(r.how, "other error")
        XCTAssertTrue(r.message.contains("not the diagnostic meant for this fault (no diagnostic code)"), r.message)
        // The right words without the code (a message read back from elsewhere) are not enough either.
        let untagged = Event(message: uneven.description, phase: "run", time: 1)
        XCTAssertEqual(DistributedFaults.verdict(.unevenBatches, frontend: "eager", twin: false, records: records([untagged])).when, .never)
        // The replica check's diagnostic does not detect uneven batches, nor the reverse.
        XCTAssertEqual(DistributedFaults.verdict(.replicasDiffer, frontend: "eager", twin: false, records: records([event(uneven)])).when, .never)
    }

    func testATwinsErrorOfAnyKindIsReported() {
        let r = DistributedFaults.verdict(.unevenBatches, frontend: "eager", twin: true, records: records([event(timeout)]))
        XCTAssertEqual(r.when, .run)
        XCTAssertEqual(r.message, timeout.description)
        XCTAssertEqual(DistributedFaults.verdict(.unevenBatches, frontend: "eager", twin: true, records: records([])).when, .never)
    }
}
