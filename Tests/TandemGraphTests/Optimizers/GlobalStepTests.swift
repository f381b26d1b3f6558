import Foundation
import XCTest
@testable import TandemGraph

/// Graph.globalStep() and its increment by train ops.
final class GlobalStepTests: XCTestCase {
    func testGetOrCreate() {
        let g = Graph()
        let step = g.globalStep()
        XCTAssertTrue(step === g.globalStep())
        XCTAssertEqual(step.name, "global_step")
        XCTAssertEqual(step.shape, [])
        XCTAssertFalse(g.isTrainable[0], "the step is not trained")
    }

    func testEachTrainOpRunIncrementsOnceWithEveryPassSetting() throws {
        for passes in [GraphOptimizer.Options.all, .none] {
            let g = Graph()
            let w = g.variable(NDArray(shape: [2], scalars: [1, 2]), name: "w")
            let step = g.globalStep()
            let train = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize((w * w).sum(), globalStep: step)
            let session = Session(graph: g, options: .init(optimizer: passes))
            try session.run(g.initializeVariables())
            for _ in 0..<3 { try session.run(train) }
            // A group of the train op, built before another read of w (so the train op's update
            // is scheduled after the group's own position), still runs it once.
            let grouped = g.group([train])
            let later = (w * 2).sum()
            try session.run([grouped, later])
            XCTAssertEqual(try session.value(of: step).scalar, 4)
        }
    }

    func testTheStepIsSavedWithTheGraph() throws {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "w")
        let step = g.globalStep()
        let train = GradientDescentOptimizer(learningRate: 0.1).minimize((w * w).sum(), globalStep: step)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        for _ in 0..<5 { try session.run(train) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("step-\(UUID().uuidString).tgraph")
        defer { try? FileManager.default.removeItem(at: url) }
        try g.save(to: url, session: session)
        let loaded = try Graph.load(from: url)
        XCTAssertEqual(try loaded.session.value(of: loaded.graph.globalStep()).scalar, 5)
        try loaded.run([train.name])
        XCTAssertEqual(try loaded.session.value(of: loaded.graph.globalStep()).scalar, 6)
    }

    func testBadGlobalStepsAreErrors() throws {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "w")
        var message = ""
        do {
            try checked { _ = GradientDescentOptimizer(learningRate: 0.1).minimize((w * w).sum(), globalStep: w) }
        } catch {
            message = "\(error)"
        }
        XCTAssertTrue(message.contains("must be a rank-0 variable"), message)

        let other = Graph()
        _ = other.constant(NDArray(0), name: "global_step")
        XCTAssertThrowsError(try checked { _ = other.globalStep() })
    }

    func testAStepBeyondFloatPrecisionIsAnError() throws {
        let g = Graph()
        let w = g.variable(NDArray(ones: [1]), name: "w")
        let step = g.globalStep()
        let train = GradientDescentOptimizer(learningRate: 0.1).minimize(w.sum(), globalStep: step)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        try session.assign(NDArray(16_777_215), to: step)
        try session.run(train)
        let message = errorMessage { try session.run(train) }
        XCTAssertTrue(message?.contains("cannot count further exactly") ?? false, message ?? "no error")
    }
}
