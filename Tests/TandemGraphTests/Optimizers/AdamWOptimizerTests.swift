import Foundation
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// AdamWOptimizer against torch.optim.AdamW's recorded values (the eager `AdamW` is tested
/// against the same runs), its slots, and its record in graph files.
final class AdamWOptimizerTests: XCTestCase {
    func testMatchesTorchAdamW() throws {
        let cases: [(String, AdamWOptimizer)] = [
            ("adamw", AdamWOptimizer()),
            ("adamw_options", AdamWOptimizer(learningRate: 0.05, beta1: 0.85, beta2: 0.98, epsilon: 1e-7, weightDecay: 0.1)),
        ]
        for (name, optimizer) in cases {
            for passes in [GraphOptimizer.Options.all, .none] {
                let reference = RecordedGradientRun.reference(name)
                let run = try RecordedGradientRun(optimizer, passes: passes)
                try run.replay(reference, tolerance: 1e-6)
                for k in 0..<2 {
                    assertClose(try run.slot("m", of: k) ?? [], reference.finalState["state.\(k).exp_avg"]!.values, tolerance: 1e-6, "\(name) m \(k)")
                    assertClose(try run.slot("v", of: k) ?? [], reference.finalState["state.\(k).exp_avg_sq"]!.values, tolerance: 1e-6, "\(name) v \(k)")
                    XCTAssertEqual(try run.slot("step", of: k), reference.finalState["state.\(k).step"]!.values, name)
                }
            }
        }
    }

    func testTheDefaultsAreTorchs() {
        XCTAssertEqual(AdamWOptimizer().rule, .adamW(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2))
        XCTAssertEqual(OptimizerUpdate(rule: AdamWOptimizer().rule, variables: []).optimizerName, "AdamW")
    }

    /// Moments without their step count cannot be restored (the bias corrections need it); the
    /// whole state resumes training exactly, also through a graph file.
    func testSlotsResumeTrainingExactly() throws {
        let optimizer = AdamWOptimizer(learningRate: 0.05, beta1: 0.85, beta2: 0.98, epsilon: 1e-7, weightDecay: 0.1)
        let reference = RecordedGradientRun.reference("adamw_options")
        let first = try RecordedGradientRun(optimizer)
        for step in 0..<3 { try first.run(step: step) }
        let second = try RecordedGradientRun(optimizer)
        var slots = try first.session.optimizerSlots(of: first.trainOps[0])
        XCTAssertEqual(Set(slots.keys), ["w0/m", "w0/v", "w0/step"])
        slots["w0/step"] = nil
        XCTAssertThrowsError(try second.session.loadOptimizerSlots(slots, of: second.trainOps[0])) { error in
            XCTAssertTrue("\(error)".contains("AdamW moments but no 'w0/step'"), "\(error)")
        }
        for k in 0..<2 {
            try second.session.assign(first.session.value(of: first.variables[k]), to: second.variables[k])
            try second.session.loadOptimizerSlots(first.session.optimizerSlots(of: first.trainOps[k]), of: second.trainOps[k])
        }
        for step in 3..<6 { try second.run(step: step) }
        for k in 0..<2 {
            assertClose(try second.session.value(of: second.variables[k]).scalars, reference.parameters[5][k], tolerance: 1e-6, "resumed w\(k)")
        }

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adamw-\(UUID().uuidString).tgraph")
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
