import XCTest
@testable import TandemCompare

/// The control-flow faults: each detected with the user's line, each fault-free twin silent.
final class FaultCatalogueControlFlowTests: XCTestCase {
    private func verdict(_ fault: Fault, _ frontend: String) throws -> FaultResult {
        try XCTUnwrap(FaultCatalogueTests.results.first { $0.fault == fault.rawValue && $0.frontend == frontend })
    }

    func testReadingAValueWhileBuildingPointsAtCond() throws {
        let graph = try verdict(.valueReadWhileBuilding, "graph")
        XCTAssertEqual(graph.when, .construction, graph.message)
        XCTAssertTrue(graph.namesOp && graph.namesLine, graph.message)
        XCTAssertTrue(graph.message.contains("graph.cond"), graph.message)
        XCTAssertFalse(try verdict(.valueReadWhileBuilding, "eager").applicable)
    }

    func testALoopVariableThatChangesShapeIsNamedWhenTheLoopIsBuilt() throws {
        let graph = try verdict(.loopShapeChange, "graph")
        XCTAssertEqual(graph.when, .construction, graph.message)
        XCTAssertTrue(graph.namesOp && graph.namesShapes && graph.namesLine, graph.message)
        XCTAssertTrue(graph.message.contains("loop variable 1 ('h0'"), graph.message)
        // Eager: nothing checks the loop; the next iteration's matmul fails, at run time.
        let eager = try verdict(.loopShapeChange, "eager")
        XCTAssertEqual(eager.when, .run, eager.message)
        XCTAssertTrue(eager.namesOp && eager.namesShapes && eager.namesLine, eager.message)
    }

    func testFaultFreeTwinsProduceNoDiagnostic() throws {
        let twins: [(Fault, String)] = [(.valueReadWhileBuilding, "graph"), (.loopShapeChange, "graph"), (.loopShapeChange, "eager")]
        for (fault, frontend) in twins {
            let twin = try XCTUnwrap(FaultCatalogue.runTwin(fault, frontend: frontend), "\(fault) \(frontend)")
            XCTAssertEqual(twin.when, .never, "\(fault) \(frontend): \(twin.message)")
            XCTAssertFalse(twin.anyDiagnostic, "\(fault) \(frontend): \(twin.message)")
        }
        XCTAssertNil(FaultCatalogue.runTwin(.valueReadWhileBuilding, frontend: "eager"))
        XCTAssertNotNil(FaultCatalogue.runTwin(.shapeMismatch, frontend: "graph"), "every fault has a twin where it can happen")
    }
}
