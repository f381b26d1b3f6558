import XCTest

@testable import TandemDistributed

/// The diagnostic codes of the errors TandemDistributed raises, read from the errors its own
/// producers make (the peer monitor, the replica check), also once a session wrapped them.
final class DistributedDiagnosticTests: XCTestCase {
    func collective() -> Collective { Collective(kind: .allreduce, count: 4, op: .average, label: "grads", step: 3) }

    func testThePeerMonitorsErrorsCarryTheirCodes() throws {
        let monitor = PeerMonitor(rank: 0, size: 2)
        let finished = PeerMonitor.Report(
            kind: .finished, rank: 1, host: "h", sequence: 2, fingerprint: nil, collective: nil, step: 2, reason: nil)
        let uneven = try XCTUnwrap(monitor.receive(finished, waitingIn: 5, collective()))
        XCTAssertEqual(DistributedDiagnostic(uneven), .unevenInputs)
        // A graph session reports a kernel's error at its node, the error's text inside.
        XCTAssertEqual(DistributedDiagnostic(TandemError.graph(node: "allreduce_1", reason: "\(uneven)", location: nil)), .unevenInputs)
        let timeout = monitor.timeout(60, sequence: 5, collective())
        XCTAssertNil(DistributedDiagnostic(timeout))
    }

    func testTheReplicaChecksPhrasesAndOtherErrors() {
        for subject in DistributedDiagnostic.replicaSubjects {
            let error = TandemError.distributed(op: "DistributedDataParallel", reason: "\(subject) differ across ranks at step 1: ...", location: nil)
            XCTAssertEqual(DistributedDiagnostic(error), .replicasDiffer)
        }
        XCTAssertNil(DistributedDiagnostic(TandemError.invalidValue(op: "x", reason: "uneven inputs: no", location: nil)))
        XCTAssertNil(DistributedDiagnostic(TandemError.distributed(op: "allreduce", reason: "values differ across ranks", location: nil)))
    }
}
