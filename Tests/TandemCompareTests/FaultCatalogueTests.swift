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

    /// A wrong input shape exists in eager code too: the first layer's error, at its line.
    func testAWrongInputShapeIsCaughtInEagerCodeToo() throws {
        let eager = try verdict(.wrongFeedShape, "eager")
        XCTAssertEqual(eager.when, .run, eager.message)
        XCTAssertTrue(eager.namesOp && eager.namesShapes && eager.namesLine, eager.message)
    }

    /// Every applicable fault has a fault-free twin, and no twin produces any diagnostic.
    func testNoFalsePositives() {
        for r in Self.results where r.applicable {
            XCTAssertEqual(r.falsePositive, false, "\(r.frontend) '\(r.title)': its fault-free twin was diagnosed")
        }
    }

    /// The print row is earned by printed values, which the harness does not print itself: the
    /// eager row shows them; the graph's print node is off the path, so its row is the warning.
    func testThePrintRowIsEarnedByTheValuesOrTheWarning() throws {
        let eager = try verdict(.printIntermediate, "eager")
        XCTAssertEqual(eager.how, "printed", eager.message)
        XCTAssertEqual(eager.linesNeeded, 1)
        XCTAssertTrue(eager.message.contains("tensor("), eager.message)
        let graph = try verdict(.printIntermediate, "graph")
        XCTAssertEqual(graph.how, "warning", graph.message)
        XCTAssertTrue(graph.message.contains("prints nothing"), graph.message)
        // Text without the values is not a detection: a print that showed only its label.
        let values = NDArray(shape: [2], scalars: [0.25, 1.5])
        XCTAssertFalse(showsValues("hidden: <tensor>", of: values))
        XCTAssertTrue(showsValues("tensor([0.2500, 1.5000])", of: values))
    }

    /// Only the diagnostic meant for a fault detects it: any other error does not.
    func testAnUnrelatedErrorIsNotADetection() {
        var observation = Observation()
        observation.errors = [(TandemError.file(path: "x", reason: "unreadable"), .run)]
        let verdict = observation.judge(.nanFromLog, frontend: "eager", op: "log", shapes: [], line: nil)
        XCTAssertEqual(verdict.when, .never)
        XCTAssertEqual(verdict.how, "other diagnostic")
        XCTAssertTrue(verdict.anyDiagnostic)
        observation.errors = [(TandemError.nonFinite(op: "log", phase: "forward", shapes: [[2]], location: nil), .run)]
        XCTAssertTrue(observation.judge(.nanFromLog, frontend: "eager", op: "log", shapes: [], line: nil).detected)
        XCTAssertEqual(warningCode("optimizer step() uses gradients summed over 2 backward() calls ...: zeroGrad() was not called"), "accumulated-grad")
        XCTAssertNil(warningCode("something else"))
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
