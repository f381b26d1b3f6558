import Foundation
import XCTest

@testable import TandemDistributed
import TandemGraph

/// DistributedOptimizer in a group of one: the allreduce nodes change no value, are fused by
/// the graph optimiser, check the replicas at the first step, and survive a graph file.
final class DistributedOptimizerTests: XCTestCase {
    struct Model {
        let graph: Graph
        let x: Node, y: Node, loss: Node
        let variables: [Node]
    }

    func model() -> Model {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x"), y = g.labelsPlaceholder(name: "y")
        let w1 = g.variable(NDArray(shape: [4, 5], scalars: (0..<20).map { Float($0 % 6) / 10 - 0.25 }), name: "w1")
        let b1 = g.variable(NDArray(zeros: [5]), name: "b1")
        let w2 = g.variable(NDArray(shape: [5, 3], scalars: (0..<15).map { Float($0 % 4) / 8 - 0.2 }), name: "w2")
        let loss = crossEntropy((x.matmul(w1) + b1).relu().matmul(w2), y)
        return Model(graph: g, x: x, y: y, loss: loss, variables: [w1, b1, w2])
    }

    let batch = NDArray(shape: [3, 4], scalars: (0..<12).map { Float($0) / 12 })
    let labels = NDArray(shape: [3], scalars: [0, 2, 1])

    func train(_ m: Model, _ trainOp: Node, steps: Int = 3) throws -> (losses: [Float], variables: [[Float]]) {
        let session = Session(graph: m.graph)
        try session.run(m.graph.initializeVariables())
        try session.broadcastVariables(from: 0, group: .single())
        var losses: [Float] = []
        for _ in 0..<steps { losses.append(try session.run([m.loss, trainOp], feed: [m.x: batch, m.y: labels])[0].scalar) }
        return (losses, try m.variables.map { try session.value(of: $0).scalars })
    }

    func testTrainsExactlyLikeTheWrappedOptimizer() throws {
        let plain = model(), distributed = model()
        let momentum = MomentumOptimizer(learningRate: 0.1, momentum: 0.9)
        let reference = try train(plain, momentum.minimize(plain.loss))
        let group = ProcessGroup.single()
        let result = try train(distributed, DistributedOptimizer(wrapping: momentum, group: group).minimize(distributed.loss))
        XCTAssertEqual(result.losses, reference.losses)
        XCTAssertEqual(result.variables, reference.variables)
        XCTAssertEqual(group.step, 3, "the replica check counts the train op's runs")
    }

    func testOneAllreducePerGradientFusedIntoOneCall() throws {
        for (threshold, expected) in [(64 << 20, "allreduce (3 fused)"), (0, nil)] {
            let m = model()
            let train = DistributedOptimizer(wrapping: GradientDescentOptimizer(learningRate: 0.1), group: .single(),
                                             fusionThresholdBytes: threshold).minimize(m.loss)
            XCTAssertEqual(m.graph.nodes.filter { $0.kindName == "allreduce" }.count, 3)
            let session = Session(graph: m.graph)
            let dot = try session.dot(fetches: [m.loss, train], feedKeys: [m.x, m.y])
            if let expected {
                XCTAssertTrue(dot.contains(expected), dot)
            } else {
                XCTAssertFalse(dot.contains("fused)"), dot)
                XCTAssertEqual(dot.components(separatedBy: "\\nallreduce\\n").count - 1, 3, dot)
            }
        }
    }

    func testASavedTrainingGraphLoadsAndTrains() throws {
        let m = model()
        let train = DistributedOptimizer(wrapping: GradientDescentOptimizer(learningRate: 0.1), group: .single()).minimize(m.loss)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distributed-\(UUID().uuidString).tgraph")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.graph.save(to: url)
        let loaded = try Graph.load(from: url)
        let before = try loaded.run([m.loss.name], feed: ["x": batch, "y": labels])[0].scalar
        try loaded.run([train.name], feed: ["x": batch, "y": labels])
        let after = try loaded.run([m.loss.name], feed: ["x": batch, "y": labels])[0].scalar
        XCTAssertLessThan(after, before)
    }

    func testBroadcastingUninitialisedVariablesIsAnError() {
        let m = model()
        XCTAssertThrowsError(try Session(graph: m.graph).broadcastVariables(group: .single())) { error in
            XCTAssertTrue("\(error)".contains("not initialised"), "\(error)")
        }
    }
}
