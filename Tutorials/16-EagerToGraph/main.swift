// Tutorial 16: from eager to graph. Tracing an eager module into a graph, what a trace freezes,
// retracing, and a whole training step traced into one graph.
//
// `trace(model, example: x)` runs the eager module ONCE on `x` with a recorder switched on: every
// primitive it runs becomes a graph node with the same op (both frontends share one op table), the
// parameters become variables and `x` a placeholder. That is torch.jit.trace, and tf.function's
// first call. The result runs as a graph (optimised, planned, buffers reused), but it only knows the
// run it saw: Swift values read from tensors (`item()`, `scalars`), and every `if` taken on them,
// are frozen. A new input shape means a new trace (a retrace).
//
// Run: swift run -c release tutorial-16-eager-to-graph      (add --quick for a shorter run)
// Exercises (see README.md): --sign -1, --batches 5,7,5,9,7, --optimizer adam.
import Foundation
import TandemTrace

/// The value after a command-line flag (`--sign -1`), or nil.
func flag(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
let exampleSign = Float(flag("--sign") ?? "") ?? 1
let batchSizes = (flag("--batches") ?? "5,7,5,9").split(separator: ",").compactMap { Int($0) }
let useAdam = flag("--optimizer") == "adam"
let trainingSteps = quick ? 5 : 50
func show(_ values: [Float]) -> String { "[" + values.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }
func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0 }
/// Deterministic inputs in [-1, 1) that do not depend on the global generator.
func inputs(_ shape: [Int], seed: Int) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { Float(sin(Double($0 * 7 + seed * 13))) })
}

print("== 1. trace: one eager run recorded as a graph ==")
manualSeed(0)
let model = TandemEager.Sequential([Linear(4, 8), ReLU(), Linear(8, 3)])
let x = inputs([5, 4], seed: 1)
let traced = try trace(model, example: x)
let eagerOut = model(x).scalars
let tracedOut = try traced(x).scalars
print("eager  row 0: \(show(Array(eagerOut.prefix(3))))")
print("traced row 0: \(show(Array(tracedOut.prefix(3))))")
print(String(format: "largest difference between traced and eager: %.2e", maxDifference(eagerOut, tracedOut)))
print("recorded nodes:")
for node in traced.graph.nodes where node.op != nil || node.isVariable || node.kindName == "placeholder" {
    print("  \(node.name): \(node.kindName) \(formatShape(node.shape))  (\(node.originDescription))")
}
let planned = try traced.plannedOps().map(\.description)
print("the session runs \(planned.count) steps after the passes: \(planned.joined(separator: "; "))")
print("DOT of the optimised graph: \(try traced.dot().split(separator: "\n").count) lines (traced.dot())")

print("\n== 2. what a trace freezes: a branch on item() ==")
/// Doubles a batch whose sum is positive and negates any other: a Swift `if` on a value.
final class SignGate: Module {
    func forward(_ x: Tensor) -> Tensor {
        if x.sum().item() > 0 { return x * 2 }  // <- the value read that the trace freezes
        return -x
    }
    var namedParameters: [(String, Tensor)] { [] }
    var children: [(String, Module)] { [] }
}
let gate = SignGate()
let example = Tensor(shape: [1, 3], scalars: [1, 2, 3].map { $0 * exampleSign })
print("tracing with example \(show(example.scalars)) (sum \(example.sum().item()))")
let tracedGate = try trace(gate, example: example)
for warning in tracedGate.warnings { print("warning: \(warning)") }
for probe in [Tensor(shape: [1, 3], scalars: [1, 2, 3]), Tensor(shape: [1, 3], scalars: [-1, -2, -3])] {
    print("input \(show(probe.scalars)): eager \(show(gate(probe).scalars)), traced \(show(try tracedGate(probe).scalars))")
}
/// The same choice written with tensor ops: 1 where the sum is positive, 0 elsewhere, no Swift `if`.
final class TensorGate: Module {
    func forward(_ x: Tensor) -> Tensor {
        let positive = x.sum().greater(Tensor(0))
        return positive * (x * 2) + (1 - positive) * -x
    }
    var namedParameters: [(String, Tensor)] { [] }
    var children: [(String, Module)] { [] }
}
let tracedTensorGate = try trace(TensorGate(), example: example)
print("written with tensor ops instead: \(tracedTensorGate.warnings.count) warnings")
for probe in [Tensor(shape: [1, 3], scalars: [1, 2, 3]), Tensor(shape: [1, 3], scalars: [-1, -2, -3])] {
    print("input \(show(probe.scalars)): traced tensor-op gate \(show(try tracedTensorGate(probe).scalars))")
}

print("\n== 3. retracing: one graph per input shape ==")
let retraced = try trace(model, example: inputs([batchSizes.first ?? 5, 4], seed: 2))
retraced.retraceWarningThreshold = 2
var worst: Float = 0
for (i, batch) in batchSizes.enumerated() {
    let input = inputs([batch, 4], seed: 3 + i)
    let before = retraced.retraceCount
    worst = max(worst, maxDifference(try retraced(input).scalars, model(input).scalars))
    let what = retraced.retraceCount > before ? "new shape: retraced" : "shape seen before: cached graph"
    print("call \(i + 1) with batch \(batch): \(what) (retraceCount \(retraced.retraceCount))")
}
for warning in retraced.warnings { print("warning: \(warning)") }
print("traced shapes: \(retraced.tracedShapes.map(formatShape).sorted().joined(separator: ", "))")
print("retraceCount = \(retraced.retraceCount), graphs traced = \(retraced.traceCount)")
print(String(format: "largest difference from eager over these calls: %.2e", worst))

print("\n== 4. a training step traced into one graph (tf.function's train step) ==")
func makeClassifier() -> TandemEager.Sequential {
    manualSeed(1)
    return TandemEager.Sequential([Linear(4, 16), ReLU(), Linear(16, 3)])
}
func makeOptimizer(_ parameters: [Tensor]) -> Optimizer {
    useAdam ? Adam(parameters, lr: 0.01) : SGD(parameters, lr: 0.1, momentum: 0.9)
}
let batches = (0..<trainingSteps).map { step -> (Tensor, Tensor) in
    let features = inputs([8, 4], seed: 100 + step)
    // The class is which of the first three features is largest: learnable.
    let labels = (0..<8).map { row -> Int in
        let values = Array(features.scalars[(row * 4)..<(row * 4 + 3)])
        return values.firstIndex(of: values.max()!)!
    }
    return (features, Tensor(labels: labels))
}
let eagerModel = makeClassifier(), tracedModel = makeClassifier()
let eagerOptimizer = makeOptimizer(eagerModel.parameters)
var eagerLosses: [Float] = []
var start = Date()
for (features, labels) in batches {
    eagerOptimizer.zeroGrad()
    let loss = crossEntropy(eagerModel(features), labels)
    loss.backward()
    eagerOptimizer.step()
    eagerLosses.append(loss.item())
}
let eagerMs = Date().timeIntervalSince(start) * 1000 / Double(trainingSteps)
let step = try traceTrainingStep(
    tracedModel, optimizer: makeOptimizer(tracedModel.parameters), example: batches[0].0, target: batches[0].1
) { crossEntropy($0, $1) }
start = Date()
let tracedLosses = try batches.map { try step.step($0.0, $0.1) }
let tracedMs = Date().timeIntervalSince(start) * 1000 / Double(trainingSteps)
try step.updateModuleParameters()
print("optimizer: \(useAdam ? "Adam lr 0.01" : "SGD lr 0.1 momentum 0.9"), \(trainingSteps) steps of 8")
print("graph: \(step.graph.nodes.count) nodes (forward, loss, gradients, train op \(step.trainOp.kindName))")
print("eager  losses: first \(String(format: "%.5f", eagerLosses.first!)), last \(String(format: "%.5f", eagerLosses.last!))")
print("traced losses: first \(String(format: "%.5f", tracedLosses.first!)), last \(String(format: "%.5f", tracedLosses.last!))")
print(String(format: "largest loss difference over %d steps: %.2e", trainingSteps, maxDifference(eagerLosses, tracedLosses)))
let parameterDiff = zip(eagerModel.parameters, tracedModel.parameters).map { maxDifference($0.scalars, $1.scalars) }.max() ?? 0
print(String(format: "largest parameter difference after training: %.2e", parameterDiff))
print(String(format: "ms/step: eager %.3f, traced %.3f (tiny model: both are mostly overhead)", eagerMs, tracedMs))
