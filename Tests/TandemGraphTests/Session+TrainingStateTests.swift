import Foundation
import XCTest
@testable import TandemGraph

/// A train op's optimizer slots: readable, restorable, saved in graph files, and a run resumed
/// from a saved graph continues bit for bit.
final class SessionTrainingStateTests: XCTestCase {
    private struct Model {
        let graph = Graph()
        let x: Node
        let y: Node
        let loss: Node
        let train: Node
        let step: Node

        init(adam: Bool) {
            x = graph.placeholder(shape: [nil, 4], name: "x")
            y = graph.labelsPlaceholder(name: "y")
            let w = graph.variable(NDArray(shape: [3, 4], scalars: testValues(12, seed: 3)), name: "w")
            let b = graph.variable(NDArray(zeros: [3]), name: "b")
            loss = crossEntropy(linear(x, weight: w, bias: b), y)
            step = graph.globalStep()
            let rate = cosineDecay(learningRate: 0.1, globalStep: step, decaySteps: 8, alpha: 0.1)
            let optimizer: TrainingOptimizer =
                adam ? AdamOptimizer(learningRate: rate) : MomentumOptimizer(learningRate: rate, momentum: 0.9, useNesterov: true)
            train = optimizer.minimize(loss, globalStep: step)
        }

        var feed: [Node: NDArray] {
            [x: NDArray(shape: [5, 4], scalars: testValues(20, seed: 9)), y: NDArray(shape: [5], scalars: [0, 1, 2, 1, 0])]
        }
    }

    func testAResumedGraphContinuesBitForBit() throws {
        for adam in [false, true] {
            let straight = Model(adam: adam)
            let straightSession = Session(graph: straight.graph)
            try straightSession.run(straight.graph.initializeVariables())
            let straightLosses = try (0..<8).map { _ in try straightSession.run([straight.loss, straight.train], feed: straight.feed)[0].scalar }

            let first = Model(adam: adam)
            let session = Session(graph: first.graph)
            try session.run(first.graph.initializeVariables())
            var losses = try (0..<4).map { _ in try session.run([first.loss, first.train], feed: first.feed)[0].scalar }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString).tgraph")
            defer { try? FileManager.default.removeItem(at: url) }
            try first.graph.save(to: url, session: session)

            let loaded = try Graph.load(from: url)
            let feed = ["x": first.feed[first.x]!, "y": first.feed[first.y]!]
            losses += try (0..<4).map { _ in try loaded.run([first.loss.name, first.train.name], feed: feed)[0].scalar }
            XCTAssertEqual(losses, straightLosses, adam ? "Adam" : "Momentum")
            XCTAssertEqual(
                try loaded.session.optimizerSlots(of: loaded.node(named: first.train.name)),
                try straightSession.optimizerSlots(of: straight.train))
            for name in ["w", "b", "global_step"] {
                XCTAssertEqual(
                    try loaded.session.value(of: loaded.node(named: name)),
                    try straightSession.value(of: straight.graph.node(named: name)!), name)
            }
        }
    }

    func testSlotNamesAndRestoreIntoAnotherSession() throws {
        let model = Model(adam: true)
        let session = Session(graph: model.graph)
        try session.run(model.graph.initializeVariables())
        XCTAssertEqual(try session.optimizerSlots(of: model.train), [:])
        for _ in 0..<2 { try session.run(model.train, feed: model.feed) }
        let slots = try session.optimizerSlots(of: model.train)
        XCTAssertEqual(slots.keys.sorted(), ["b/m", "b/step", "b/v", "w/m", "w/step", "w/v"])
        XCTAssertEqual(slots["w/step"], NDArray(2))

        let other = Session(graph: model.graph)
        try other.run(model.graph.initializeVariables())
        try other.run(model.train, feed: model.feed)  // slots exist, then are replaced in place
        try other.loadOptimizerSlots(slots, of: model.train)
        XCTAssertEqual(try other.optimizerSlots(of: model.train), slots)
    }

    func testLoadingBadSlotsChangesNothing() throws {
        let model = Model(adam: false)
        let session = Session(graph: model.graph)
        try session.run(model.graph.initializeVariables())
        try session.run(model.train, feed: model.feed)
        let good = try session.optimizerSlots(of: model.train)
        var wrongShape = good
        wrongShape["w/momentum"] = NDArray(zeros: [4, 3])
        var unexpected = good
        unexpected["w/m"] = NDArray(zeros: [3, 4])
        for (bad, expected) in [(wrongShape, "has shape [4, 3]"), (unexpected, "unexpected slot(s) 'w/m'")] {
            XCTAssertThrowsError(try session.loadOptimizerSlots(bad, of: model.train)) {
                XCTAssertTrue("\($0)".contains(expected), "\($0)")
            }
            XCTAssertEqual(try session.optimizerSlots(of: model.train), good)
        }
        XCTAssertThrowsError(try session.optimizerSlots(of: model.loss)) { XCTAssertTrue("\($0)".contains("is not a train op"), "\($0)") }
    }
}
