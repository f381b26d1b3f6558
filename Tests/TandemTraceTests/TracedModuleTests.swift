import XCTest
@testable import TandemTrace

final class TracedModuleTests: XCTestCase {
    func testANewInputShapeRetracesOnceAndIsCached() throws {
        let model = makeMLP()
        let traced = try trace(model, example: testTensor([4, 12]))
        XCTAssertEqual(traced.retraceCount, 0)
        let batch7 = testTensor([7, 12], seed: 2)
        assertClose(try traced(batch7).scalars, model(batch7).scalars)
        XCTAssertEqual(traced.retraceCount, 1)
        XCTAssertEqual(traced.input.staticShape, [7, 12])
        _ = try traced(testTensor([4, 12], seed: 3))
        _ = try traced(batch7)
        XCTAssertEqual(traced.retraceCount, 1, "shapes seen before reuse their graphs")
        XCTAssertEqual(traced.traceCount, 2)
        XCTAssertEqual(Set(traced.tracedShapes), [[4, 12], [7, 12]])
    }

    func testFrequentRetracingWarnsOnceAtTheThreshold() throws {
        let traced = try trace(makeMLP(), example: testTensor([1, 12]))
        traced.retraceWarningThreshold = 3
        var thirdRetraceLine = 0
        for batch in 2...6 {
            let line = #line; _ = try traced(testTensor([batch, 12]))
            if batch == 4 { thirdRetraceLine = line }
        }
        XCTAssertEqual(traced.retraceCount, 5)
        let warnings = traced.warnings.filter { if case .frequentRetracing = $0.kind { return true } else { return false } }
        XCTAssertEqual(warnings.map(\.kind), [.frequentRetracing(count: 3)])
        XCTAssertEqual(warnings.first?.location?.line, thirdRetraceLine)
    }

    func testGraphIsOptimisedAndPrintableAsDOT() throws {
        let traced = try trace(makeMLP(), example: testTensor([3, 12]))
        let recorded = try traced.dot(optimized: false)
        let optimised = try traced.dot()
        XCTAssertTrue(recorded.hasPrefix("digraph"))
        XCTAssertTrue(optimised.contains("linear"), optimised)
        // The passes fuse each linear with the ReLU after it: fewer steps than recorded ops.
        let recordedOps = traced.graph.nodes.filter { $0.op != nil }.count
        XCTAssertLessThan(try traced.plannedOps().count, recordedOps)
    }

    func testReloadParametersFollowsTheEagerModule() throws {
        let model = makeMLP()
        let x = testTensor([2, 12])
        let traced = try trace(model, example: x)
        let before = try traced(x).scalars
        for parameter in model.parameters { parameter.array = NDArray(repeating: 0.1, shape: parameter.shape) }
        XCTAssertEqual(try traced(x).scalars, before, "the graph holds the values from when it was traced")
        try traced.reloadParameters()
        assertClose(try traced(x).scalars, model(x).scalars)
    }
}
