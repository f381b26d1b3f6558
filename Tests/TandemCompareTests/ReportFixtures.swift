import Foundation
@testable import TandemCompare

/// A hand-made report (no training) for the rendering tests: values chosen so every chart has data.
func sampleReport() -> ComparisonReport {
    var m = ModelResult(spec: .mlp([784, 512, 256, 10]), steps: 50, batchSize: 64, seed: 0, tolerance: 1e-4)
    for (i, frontend) in ["eager", "graph"].enumerated() {
        var f = FrontendResult(frontend: frontend)
        f.losses = (0..<50).map { 2.3 * Foundation.exp(-Double($0) / 20) + 0.1 + Double(i) * 1e-6 }
        f.msPerStep = i == 0 ? 5.0 : 3.5
        f.firstStepMs = i == 0 ? 6.0 : 40.0
        f.stepMs = [f.msPerStep * 0.9, f.msPerStep, f.msPerStep * 1.2]
        f.kernelMsPerStep = f.msPerStep * 0.8
        f.peakBytes = i == 0 ? 9_000_000 : 6_500_000
        f.timeline = (0..<30).map { MemoryPoint(op: "op\($0)", liveBytes: 4_000_000 + ($0 % 15) * 300_000 / (i + 1)) }
        f.opsPerStep = 30
        if i == 0 { m.eager = f } else { m.graph = f }
    }
    m.activationDiffs = [
        ActivationDiff(layer: "0: Linear(784, 512)", maxAbsDiff: 0, shape: [64, 512]),
        ActivationDiff(layer: "1: ReLU()", maxAbsDiff: 1e-7, shape: [64, 512]),
    ]
    m.graphDOTBefore = """
        digraph G {
          n0 [label="placeholder\\n[?, 784]\\nMain.swift:3", shape=invhouse];
          n1 [label="variable 0.weight\\n[512, 784]\\nMain.swift:4"];
          n2 [label="linear\\n[?, 512]\\nModel.swift:9"];
          n3 [label="relu\\n[?, 512]\\nModel.swift:12"];
          n0 -> n2; n1 -> n2;
          n2 -> n3;
        }
        """
    m.graphDOTAfter = """
        digraph G {
          n0 [label="placeholder\\n[?, 784]"];
          n1 [label="variable 0.weight\\n[512, 784]"];
          n2 [label="linear(x w^T + b, relu)\\n[?, 512]"];
          n0 -> n2;
          n1 -> n2;
        }
        """
    let scorecard = [
        FaultResult(fault: "shape_mismatch", title: "shape mismatch in a hidden layer", frontend: "eager", when: .run,
            namesOp: true, namesShapes: true, namesLine: true, linesNeeded: 0, message: "linear: shapes [64, 512], [256, 500] (at Faults.swift:12)", how: "error"),
        FaultResult(fault: "shape_mismatch", title: "shape mismatch in a hidden layer", frontend: "graph", when: .construction,
            namesOp: true, namesShapes: true, namesLine: true, linesNeeded: 0, message: "linear: ... (at Faults.swift:40)", how: "error"),
        .notApplicable(.opsInLoop, "eager", because: "no graph"),
        FaultResult(fault: "ops_in_loop", title: "ops created in the loop", frontend: "graph", when: .never),
    ]
    return ComparisonReport(models: [m], scorecard: scorecard)
}
