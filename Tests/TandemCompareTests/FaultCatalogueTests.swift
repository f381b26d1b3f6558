import XCTest
@testable import TandemCompare

/// The catalogue runs real programs; these tests check the verdicts Tandem must earn.
final class FaultCatalogueTests: XCTestCase {
    static let results = FaultCatalogue.run()

    func verdict(_ fault: Fault, _ frontend: String) throws -> FaultResult {
        try XCTUnwrap(Self.results.first { $0.fault == fault.rawValue && $0.frontend == frontend })
    }

    func testEveryApplicableFaultIsDetectedInBothFrontends() {
        XCTAssertEqual(Self.results.count, Fault.allCases.count * 2)
        for r in Self.results where r.applicable {
            XCTAssertTrue(r.detected, "\(r.frontend) missed '\(r.title)': \(r.message)")
        }
    }

    func testFaultsThatCannotHappenAreNotApplicable() throws {
        XCTAssertFalse(try verdict(.wrongFeedShape, "eager").applicable)
        XCTAssertFalse(try verdict(.opsInLoop, "eager").applicable)
        XCTAssertFalse(try verdict(.forgottenZeroGrad, "graph").applicable)
    }

    func testShapeMismatchNamesOpShapesAndLine() throws {
        let eager = try verdict(.shapeMismatch, "eager")
        XCTAssertEqual(eager.when, .run)
        XCTAssertTrue(eager.namesOp && eager.namesShapes && eager.namesLine, eager.message)
        let graph = try verdict(.shapeMismatch, "graph")
        XCTAssertEqual(graph.when, .construction, "the graph reports a bad shape when the node is added")
        XCTAssertTrue(graph.namesOp && graph.namesShapes && graph.namesLine, graph.message)
    }

    func testGraphRunTimeErrorsNameTheUsersLine() throws {
        let feed = try verdict(.wrongFeedShape, "graph")
        XCTAssertEqual(feed.when, .run)
        XCTAssertTrue(feed.namesLine && feed.namesShapes, feed.message)
        // The distributed faults' mistake is in how a rank's data or weights were prepared, not on
        // a line that built a node (their errors name the line that built the allreduce instead;
        // DistributedFaultsTests checks them).
        let distributed: Set<String> = [Fault.unevenBatches.rawValue, Fault.replicasDiffer.rawValue]
        for r in Self.results where r.frontend == "graph" && r.how == "error" && !distributed.contains(r.fault) {
            XCTAssertTrue(r.namesLine, "\(r.title): \(r.message)")
        }
    }

    func testNaNIsTracedToTheLogLine() throws {
        for frontend in ["eager", "graph"] {
            let r = try verdict(.nanFromLog, frontend)
            XCTAssertEqual(r.when, .run, frontend)
            XCTAssertTrue(r.namesOp && r.namesLine, "\(frontend): \(r.message)")
            XCTAssertEqual(r.linesNeeded, 1, "one debug line: detectAnomaly / checkNumerics")
        }
    }
}
