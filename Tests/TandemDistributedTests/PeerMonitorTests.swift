import XCTest

@testable import TandemDistributed

/// The rules that turn a hang into an error: rank 0 waits in a collective while the reports of
/// rank 1 arrive.
final class PeerMonitorTests: XCTestCase {
    let gradients = Collective(kind: .allreduce, count: 1000, op: .average, label: "gradient bucket 1 of 1", step: 3)

    func report(_ kind: PeerMonitor.Report.Kind, sequence: Int, fingerprint: String? = nil, step: Int? = nil) -> PeerMonitor.Report {
        PeerMonitor.Report(
            kind: kind, rank: 1, host: "node-b", sequence: sequence, fingerprint: fingerprint,
            collective: fingerprint.map { "\($0) #\(sequence)" }, step: step, reason: kind == .aborted ? "out of memory" : nil)
    }

    func testARankThatFinishedBeforeThisCollectiveMeansUnevenInputs() throws {
        let monitor = PeerMonitor(rank: 0, size: 2)
        let error = try XCTUnwrap(monitor.receive(report(.finished, sequence: 11, step: 2), waitingIn: 12, gradients))
        guard case .distributed(let op, let reason, _) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(op, "allreduce")
        for fragment in ["uneven inputs", "rank 1 (node-b) finished after 11 collectives", "its last step was 2",
                         "rank 0 is at step 3", "allreduce #12 (gradient bucket 1 of 1, step 3)", "DistributedSampler"] {
            XCTAssertTrue(reason.contains(fragment), "missing '\(fragment)' in: \(reason)")
        }
    }

    func testARankThatFinishedAfterThisCollectiveIsNoError() {
        let monitor = PeerMonitor(rank: 0, size: 2)
        XCTAssertNil(monitor.receive(report(.finished, sequence: 12), waitingIn: 12, gradients))
        XCTAssertTrue(monitor.everyPeerFinished)
    }

    func testRanksInDifferentCollectivesAreAMismatch() throws {
        let monitor = PeerMonitor(rank: 0, size: 2)
        let error = try XCTUnwrap(monitor.receive(
            report(.waiting, sequence: 12, fingerprint: "broadcast of 10 floats from rank 0"), waitingIn: 12, gradients))
        let text = "\(error)"
        XCTAssertTrue(text.contains("collective mismatch") && text.contains("allreduce(average) of 1000 floats")
            && text.contains("broadcast of 10 floats"), text)
    }

    func testTheSameCollectiveOrAStaleReportIsNoError() {
        let monitor = PeerMonitor(rank: 0, size: 2)
        XCTAssertNil(monitor.receive(report(.waiting, sequence: 12, fingerprint: gradients.fingerprint), waitingIn: 12, gradients))
        XCTAssertNil(monitor.receive(report(.waiting, sequence: 11, fingerprint: "barrier"), waitingIn: 12, gradients))
        XCTAssertFalse(monitor.everyPeerFinished)
    }

    func testAFailedRankStopsTheOthers() throws {
        let monitor = PeerMonitor(rank: 0, size: 2)
        let error = try XCTUnwrap(monitor.receive(report(.aborted, sequence: 5), waitingIn: 12, gradients))
        XCTAssertTrue("\(error)".contains("rank 1 (node-b) stopped with an error: out of memory"), "\(error)")
        XCTAssertEqual(monitor.abortedPeer?.rank, 1)
    }

    func testATimeoutNamesTheRanksThatDidNotArrive() {
        let monitor = PeerMonitor(rank: 0, size: 3)
        monitor.record(PeerMonitor.Report(kind: .waiting, rank: 2, host: "c", sequence: 12, fingerprint: gradients.fingerprint))
        let text = "\(monitor.timeout(600, sequence: 12, gradients))"
        XCTAssertTrue(text.contains("waited 600 s in allreduce #12") && text.contains("rank 1 (no report)"), text)
        XCTAssertFalse(text.contains("rank 2"), "rank 2 is waiting in the same collective: \(text)")
    }

    func testFingerprintsIgnoreLabelsAndSteps() {
        var other = gradients
        other.label = "something else"
        other.step = 9
        XCTAssertEqual(other.fingerprint, gradients.fingerprint)
        other.count = 999
        XCTAssertNotEqual(other.fingerprint, gradients.fingerprint)
    }
}
