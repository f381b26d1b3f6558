import Foundation
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// RMSPropOptimizer against torch.optim.RMSprop's recorded values (the eager `RMSprop` is
/// tested against the same runs), its slots, and its record in graph files.
final class RMSPropOptimizerTests: XCTestCase {
    func testMatchesTorchRMSprop() throws {
        let cases: [(String, RMSPropOptimizer)] = [
            ("rmsprop", RMSPropOptimizer(learningRate: 0.01, decay: 0.99, epsilon: 1e-8)),
            ("rmsprop_momentum", RMSPropOptimizer(learningRate: 0.01, decay: 0.9, momentum: 0.9, epsilon: 1e-6)),
        ]
        for (name, optimizer) in cases {
            for passes in [GraphOptimizer.Options.all, .none] {
                let reference = RecordedGradientRun.reference(name)
                let run = try RecordedGradientRun(optimizer, passes: passes)
                try run.replay(reference, tolerance: 1e-6)
                for k in 0..<2 {
                    assertClose(try run.slot("rms", of: k) ?? [], reference.finalState["state.\(k).square_avg"]!.values, tolerance: 1e-6, "\(name) rms \(k)")
                    XCTAssertEqual(try run.slot("step", of: k), reference.finalState["state.\(k).step"]!.values, name)
                    if optimizer.momentum > 0 {
                        assertClose(
                            try run.slot("momentum", of: k) ?? [], reference.finalState["state.\(k).momentum_buffer"]!.values,
                            tolerance: 1e-5, "\(name) momentum \(k)")
                    } else {
                        XCTAssertNil(try run.slot("momentum", of: k), name)
                    }
                }
            }
        }
    }

    func testTheDefaultsAreTF1s() {
        let optimizer = RMSPropOptimizer(learningRate: 0.1)
        XCTAssertEqual(optimizer.rule, .rmsprop(learningRate: 0.1, decay: 0.9, momentum: 0, epsilon: 1e-10))
        XCTAssertEqual(OptimizerUpdate(rule: optimizer.rule, variables: []).optimizerName, "RMSProp")
    }

    /// Three steps, the slots saved and loaded into a fresh session, three more steps: the same
    /// numbers as six steps in one session; and the same through a graph file.
    func testSlotsResumeTrainingExactly() throws {
        let optimizer = RMSPropOptimizer(learningRate: 0.01, decay: 0.9, momentum: 0.9, epsilon: 1e-6)
        let reference = RecordedGradientRun.reference("rmsprop_momentum")
        let first = try RecordedGradientRun(optimizer)
        for step in 0..<3 { try first.run(step: step) }
        let second = try RecordedGradientRun(optimizer)
        for k in 0..<2 {
            try second.session.assign(first.session.value(of: first.variables[k]), to: second.variables[k])
            try second.session.loadOptimizerSlots(first.session.optimizerSlots(of: first.trainOps[k]), of: second.trainOps[k])
        }
        XCTAssertEqual(Set(try first.session.optimizerSlots(of: first.trainOps[0]).keys), ["w0/rms", "w0/momentum", "w0/step"])
        for step in 3..<6 { try second.run(step: step) }
        for k in 0..<2 {
            assertClose(try second.session.value(of: second.variables[k]).scalars, reference.parameters[5][k], tolerance: 1e-6, "resumed w\(k)")
        }

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rmsprop-\(UUID().uuidString).tgraph")
        defer { try? FileManager.default.removeItem(at: url) }
        try first.graph.save(to: url, session: first.session)
        let loaded = try Graph.load(from: url)
        for step in 3..<6 {
            for (k, values) in PyTorchOptimizerReference.gradients[step].enumerated() {
                guard let values else { continue }
                _ = try loaded.run(
                    [first.trainOps[k].name], feed: ["g\(k)": NDArray(shape: PyTorchOptimizerReference.parameterShapes[k], scalars: values)])
            }
        }
        for k in 0..<2 {
            assertClose(try loaded.run(["w\(k)"])[0].scalars, reference.parameters[5][k], tolerance: 1e-6, "loaded w\(k)")
        }
    }
}
