// Tutorial 13: batch norm and train/eval state, in both frontends.
//
// Batch norm normalises with the batch's statistics while training and moves its running
// statistics toward them; in evaluation it normalises with the running statistics. Each frontend
// has its own way to get this wrong, and PyTorch and TF1 say nothing about either:
//   eager: evaluating without model.eval()   (missing_eval)
//   graph: training without Graph.updateOps  (bn_updates_not_run)
// Tandem warns about both, naming the user's line. This program shows each mistake, the warning,
// and what it costs in accuracy, next to the fixed program.
//
// Run: swift run tutorial-13-batch-norm [--steps N] [--train-op-only]   (the exercises use the flags)
import Foundation
import TandemEager
import TandemGraph

let arguments = CommandLine.arguments
let steps = arguments.firstIndex(of: "--steps").flatMap { arguments.count > $0 + 1 ? Int(arguments[$0 + 1]) : nil } ?? 60
let trainOpOnly = arguments.contains("--train-op-only")

// Data: 4 features around 10 (far from batch norm's initial running mean 0 and variance 1);
// the class is whether x0 + x1 > 20.
let generator = Generator(seed: 13)
let count = 256
let features = generator.uniform(count: count * 4, low: 8, high: 12)
let labels = (0..<count).map { features[$0 * 4] + features[$0 * 4 + 1] > 20 ? 1 : 0 }
let x = NDArray(shape: [count, 4], scalars: features)
let w0 = Initializer.kaimingUniform([16, 4], generator: generator), b0 = NDArray(zeros: [16])
let w1 = Initializer.kaimingUniform([2, 16], generator: generator), b1 = NDArray(zeros: [2])

func accuracy(_ logits: NDArray) -> Double {
    let predicted = (0..<count).map { logits.scalars[$0 * 2 + 1] > logits.scalars[$0 * 2] ? 1 : 0 }
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(count)
}
func show(_ label: String, _ values: NDArray) {
    print(label, values.scalars.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", "), "...")
}

// MARK: 1. Eager: BatchNorm1d and eval()

print("== 1. eager: BatchNorm1d, train() and eval()")
Diagnostics.sink = { print("  TandemEager warning: \($0)") }
func eagerModel() throws -> TandemEager.Sequential {
    let model = TandemEager.Sequential([Linear(4, 16), BatchNorm1d(16), ReLU(), Linear(16, 2)])
    var state = model.stateDict()
    (state["0.weight"], state["0.bias"], state["3.weight"], state["3.bias"]) = (w0, b0, w1, b1)
    try model.loadStateDict(state)
    return model
}
let model = try eagerModel()
let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
for _ in 0..<steps {
    optimizer.zeroGrad()
    crossEntropy(model(Tensor(x)), Tensor(labels: labels)).backward()
    optimizer.step()
}
let trained = model.stateDict()
show("running_mean after \(steps) steps:", trained["1.running_mean"]!)
print("num_batches_tracked:", Int(trained["1.num_batches_tracked"]!.scalars[0]))
if steps == 1 {
    let first = noGrad { linear(Tensor(x), weight: Tensor(w0), bias: Tensor(b0)).mean(dim: 0) }
    show("first layer's batch mean at step 1:", first.array)
}
/// The accuracy of the eager model evaluated in batches of `size` examples.
func eagerAccuracy(batch size: Int) -> Double {
    var logits: [Float] = []
    for start in stride(from: 0, to: count, by: size) {
        logits += noGrad { model(Tensor(x).narrow(dim: 0, start: start, length: size)) }.scalars
    }
    return accuracy(NDArray(shape: [count, 2], scalars: logits))
}
print("-- the mistake: evaluating (in batches of 4) without model.eval()")
print("accuracy without eval():", eagerAccuracy(batch: 4))
show("running_mean after that evaluation:", model.stateDict()["1.running_mean"]!)
print("-- fixed: the trained state, model.eval(), then evaluate")
Diagnostics.reset()
try model.loadStateDict(trained)
model.eval()
print("accuracy with eval():", eagerAccuracy(batch: 4))
print("warnings in the fixed program:", Diagnostics.warnings.count)

// MARK: 2. Graph: updateOps

print("\n== 2. graph: batchNorm(training:) and Graph.updateOps")
func graphRun(runUpdates: Bool) throws -> (accuracy: Double, runningMean: NDArray, warnings: [String]) {
    let g = Graph()
    let input = g.placeholder(shape: [nil, 4], name: "x")
    let y = g.labelsPlaceholder(name: "y")
    let v = [g.variable(w0, name: "w0"), g.variable(b0, name: "b0"), g.variable(NDArray(ones: [16]), name: "gamma"),
             g.variable(NDArray(zeros: [16]), name: "beta"), g.variable(w1, name: "w1"), g.variable(b1, name: "b1")]
    let mean = g.variable(NDArray(zeros: [16]), name: "moving_mean", trainable: false)
    let variance = g.variable(NDArray(ones: [16]), name: "moving_variance", trainable: false)
    func logits(training: Bool) -> Node {
        let h = batchNorm(linear(input, weight: v[0], bias: v[1]), runningMean: mean, runningVar: variance,
                          weight: v[2], bias: v[3], training: training)
        return linear(h.relu(), weight: v[4], bias: v[5])
    }
    let loss = crossEntropy(logits(training: true), y)
    let evalLogits = logits(training: false)
    let train = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize(loss)
    let session = Session(graph: g)
    try session.run(g.initializeVariables())
    let feed: [Node: NDArray] = [input: x, y: NDArray(shape: [count], scalars: labels.map(Float.init))]
    for _ in 0..<steps {
        try session.run((trainOpOnly ? [train] : [loss, train]) + (runUpdates ? g.updateOps : []), feed: feed)
    }
    let out = try session.run([evalLogits, mean], feed: [input: x])
    return (accuracy(out[0]), out[1], g.warnings)
}
print("-- the mistake: session.run([loss, train]) without g.updateOps")
let broken = try graphRun(runUpdates: false)
print("graph.warnings:", broken.warnings.count, "(printed to standard error when it was raised)")
show("moving_mean:", broken.runningMean)
print("eval accuracy without the updates:", broken.accuracy)
print("-- fixed: session.run([loss, train] + g.updateOps)")
let fixed = try graphRun(runUpdates: true)
show("moving_mean:", fixed.runningMean)
print("eval accuracy with the updates:", fixed.accuracy)
print("warnings in the fixed program:", fixed.warnings.count)
let gap = zip(trained["1.running_mean"]!.scalars, fixed.runningMean.scalars).map { abs($0 - $1) }.max() ?? 0
print("largest running-mean difference, eager vs graph:", gap)
