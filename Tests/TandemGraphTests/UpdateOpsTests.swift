import Foundation
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// Batch norm's running statistics in a graph: `Graph.updateOps` (TF1's `UPDATE_OPS`), assign
/// nodes a session executes in place, their errors, files and DOT.
final class UpdateOpsTests: XCTestCase {
    private struct Model {
        let graph = Graph()
        let x: Node, runningMean: Node, runningVar: Node, weight: Node, bias: Node
        let train: Node, eval: Node

        init(_ run: PyTorchReference.RunningStatisticsCase) {
            let shape = run.batches[0].shape
            x = graph.placeholder(shape: [nil] + shape.dropFirst().map { $0 }, name: "x")
            let c = run.initialMean.count
            runningMean = graph.variable(NDArray(shape: [c], scalars: run.initialMean), name: "running_mean", trainable: false)
            runningVar = graph.variable(NDArray(shape: [c], scalars: run.initialVar), name: "running_var", trainable: false)
            weight = graph.variable(NDArray(shape: [c], scalars: run.weight), name: "weight")
            bias = graph.variable(NDArray(shape: [c], scalars: run.bias), name: "bias")
            train = ReferenceExpressions.batchNormTraining(run, x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias)
            eval = ReferenceExpressions.batchNormEval(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias)
        }

        func feed(_ input: PyTorchReference.Input) -> [Node: NDArray] { [x: NDArray(shape: input.shape, scalars: input.values)] }
    }

    func testRunningStatisticsMatchPyTorchWhenTheUpdateOpsRun() throws {
        for run in PyTorchReference.batchNormRuns {
            let model = Model(run)
            XCTAssertEqual(model.graph.updateOps.count, 2, run.name)
            XCTAssertTrue(model.graph.updateOps.allSatisfy { $0.kindName == "assign" })
            let session = Session(graph: model.graph)
            try session.run(model.graph.initializeVariables())
            let loss = model.train.sum()
            let train = GradientDescentOptimizer(learningRate: 0).minimize(loss)
            // The first assign copies once (the initial value is shared with the graph); from then
            // on the variable's buffer is updated in place.
            var address: UnsafeMutablePointer<Float>?
            for batch in run.batches {
                try session.run([train] + model.graph.updateOps, feed: model.feed(batch))
                if let address { XCTAssertEqual(try session.value(of: model.runningMean).storage.pointer, address, "assigned in place") }
                address = try session.value(of: model.runningMean).storage.pointer
            }
            assertClose(try session.value(of: model.runningMean).scalars, run.updatedMean, tolerance: 1e-5, run.name)
            assertClose(try session.value(of: model.runningVar).scalars, run.updatedVar, tolerance: 1e-5, run.name)
            assertClose(try session.run(model.eval, feed: model.feed(run.batches[1])).scalars, run.evalOutput, tolerance: 1e-5, run.name)
        }
    }

    /// TF1's classic bug: training without running the update ops leaves the statistics where
    /// they started, silently.
    func testRunningStatisticsStayPutWhenTheUpdateOpsDoNotRun() throws {
        let run = PyTorchReference.batchNormRuns[0]
        let model = Model(run)
        let session = Session(graph: model.graph)
        try session.run(model.graph.initializeVariables())
        for batch in run.batches { try session.run(model.train, feed: model.feed(batch)) }
        XCTAssertEqual(try session.value(of: model.runningMean).scalars, run.initialMean)
        XCTAssertEqual(try session.value(of: model.runningVar).scalars, run.initialVar)
    }

    func testOnlyAVariableCanBeAssigned() {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let line = #line + 2
        let error = errorMessage {
            try checked { _ = batchNorm(x, runningMean: g.placeholder(shape: [2], name: "mean"), runningVar: nil, weight: nil, bias: nil, training: true) }
        }
        XCTAssertTrue(error?.contains("node 'mean'") ?? false, error ?? "no error")
        XCTAssertTrue(error?.contains("only a variable can be assigned") ?? false, error ?? "no error")
        XCTAssertTrue(error?.contains("UpdateOpsTests.swift:\(line)") ?? false, error ?? "no error")
        XCTAssertTrue(g.updateOps.isEmpty)
        let wrongShape = errorMessage {
            try checked { Node.assign(g.constant(NDArray(zeros: [3])), to: g.variable(NDArray(zeros: [2]), name: "v"), at: nil) }
        }
        XCTAssertTrue(wrongShape?.contains("cannot assign a value of shape [3] to variable 'v' of shape [2]") ?? false, wrongShape ?? "no error")
    }

    func testUpdateOpsSurviveSaveAndLoad() throws {
        let run = PyTorchReference.batchNormRuns[1]
        let model = Model(run)
        let session = Session(graph: model.graph)
        try session.run(model.graph.initializeVariables())
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-update-ops-\(UUID().uuidString).tgraph")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.graph.save(to: url, session: session)
        let loaded = try Graph.load(from: url)
        XCTAssertEqual(loaded.graph.updateOps.map(\.name), model.graph.updateOps.map(\.name))
        for batch in run.batches {
            try loaded.run([model.train.name] + loaded.graph.updateOps.map(\.name), feed: ["x": NDArray(shape: batch.shape, scalars: batch.values)])
        }
        assertClose(try loaded.session.value(of: try loaded.node(named: "running_mean")).scalars, run.updatedMean, tolerance: 1e-5)
        assertClose(try loaded.session.value(of: try loaded.node(named: "running_var")).scalars, run.updatedVar, tolerance: 1e-5)
    }

    func testDOTShowsTheAssigns() throws {
        let model = Model(PyTorchReference.batchNormRuns[0])
        let dot = try model.graph.dot(fetches: model.graph.updateOps)
        XCTAssertTrue(dot.contains("assign to 'running_mean'") && dot.contains("assign to 'running_var'"), dot)
        XCTAssertTrue(dot.contains("moving_average(momentum: 0.1)"), dot)
    }
}
