import XCTest
@testable import TandemCompare

/// The training-state faults: batch-norm updates left out of the run are reported with the
/// train op's line; every fault-free twin is silent.
final class FaultCatalogueTrainingStateTests: XCTestCase {
    func testSkippedUpdateOpsAreReportedAtTheTrainOpsLine() {
        let graph = GraphFaults.run(.batchNormUpdatesNotRun)
        XCTAssertEqual(graph.when, .run, graph.message)
        XCTAssertEqual(graph.how, "warning")
        XCTAssertTrue(graph.namesOp && graph.namesLine, graph.message)
        XCTAssertTrue(graph.message.contains("moving_mean/assign"), graph.message)
        XCTAssertFalse(EagerFaults.run(.batchNormUpdatesNotRun).applicable)
    }

    func testEagerEvaluationWithoutEvalIsReportedAtTheCallersLine() {
        let eager = EagerFaults.run(.missingEval)
        XCTAssertEqual(eager.when, .run, eager.message)
        XCTAssertEqual(eager.how, "warning")
        XCTAssertTrue(eager.namesOp && eager.namesLine, eager.message)
        XCTAssertTrue(eager.message.contains("eval()"), eager.message)
    }

    func testGraphEvaluationInTrainingModeIsReportedAtTheBatchNormsLine() {
        let graph = GraphFaults.run(.missingEval)
        XCTAssertEqual(graph.when, .run, graph.message)
        XCTAssertEqual(graph.how, "warning")
        XCTAssertTrue(graph.namesOp && graph.namesLine, graph.message)
        XCTAssertTrue(graph.message.contains("training: false"), graph.message)
    }

    func testFaultFreeTwinsProduceNoDiagnostic() throws {
        let twins: [(Fault, String)] = [(.batchNormUpdatesNotRun, "graph"), (.missingEval, "graph"), (.missingEval, "eager")]
        for (fault, frontend) in twins {
            let twin = try XCTUnwrap(FaultCatalogue.runTwin(fault, frontend: frontend), "\(fault) \(frontend)")
            XCTAssertEqual(twin.when, .never, "\(fault) \(frontend): \(twin.message)")
        }
        XCTAssertNil(FaultCatalogue.runTwin(.batchNormUpdatesNotRun, frontend: "eager"))
    }

    func testTheScorecardHasFourteenFaults() {
        XCTAssertEqual(Fault.allCases.count, 14)
        XCTAssertEqual(Fault(rawValue: "missing_eval"), .missingEval)
        XCTAssertEqual(Fault(rawValue: "bn_updates_not_run"), .batchNormUpdatesNotRun)
    }
}
