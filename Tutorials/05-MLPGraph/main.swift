// Tutorial 05: the MLP of tutorial 04, as a graph (TensorFlow 1.x style).
//
// Same data, same layers, same initial weights, same optimizer. The difference: we first DESCRIBE
// one training step as a graph (placeholders for a batch, variables for the weights, a loss, and a
// train op), then a Session runs that graph once per batch. Because the session sees the whole step
// before running it, it can optimise it and plan its memory (tutorials 09 and 10).
//
// Run: swift run -c release tutorial-05-mlp-graph      (add --quick for a shorter run)
import Foundation
import TandemCompare
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

/// The value of `--name=value` on the command line (the README's exercises change these), or `fallback`.
func option(_ name: String, _ fallback: Float) -> Float {
    CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--\(name)=") ? Float($0.dropFirst(name.count + 3)) : nil }.first ?? fallback
}
let width = Int(option("width", 512))  // as in tutorial 04: the first hidden layer; the second is half as wide
let learningRate = option("lr", 0.05)

let train = try MNIST.load(.train)
let test = try MNIST.load(.test)
print("train images", formatShape(train.images.shape), " test images", formatShape(test.images.shape))

print("\n== 1. Build the graph (nothing runs yet) ==")
manualSeed(0)  // the same seed and draw order as tutorial 04, so the same initial weights
let g = Graph()
let images = g.placeholder(shape: [nil, 784], name: "images")  // nil: any batch size
let labels = g.labelsPlaceholder(name: "labels")

/// A PyTorch-style Linear layer's two variables, initialised the way `Linear` does it.
func dense(_ inputs: Int, _ outputs: Int, _ name: String) -> (weight: Node, bias: Node) {
    let weight = g.variable(Initializer.kaimingUniform([outputs, inputs]), name: "\(name).weight")
    let bias = g.variable(Initializer.biasUniform(outputs, fanIn: inputs), name: "\(name).bias")
    return (weight, bias)
}
let l1 = dense(784, width, "0"), l2 = dense(width, width / 2, "2"), l3 = dense(width / 2, 10, "4")
let h1 = linear(images, weight: l1.weight, bias: l1.bias).relu()
let h2 = linear(h1, weight: l2.weight, bias: l2.bias).relu()
let logits = linear(h2, weight: l3.weight, bias: l3.bias)
let loss = crossEntropy(logits, labels)
let predictions = logits.argmax(dim: 1)
let trainOp = MomentumOptimizer(learningRate: learningRate, momentum: 0.9).minimize(loss)
print("logits: static shape", formatShape(logits.shape), "(? = the batch, known only when fed)")
print("the graph now holds \(g.nodes.count) nodes: forward, backward (added by minimize) and updates")

print("\n== 2. Run it ==")
let session = Session(graph: g)
try session.run(g.initializeVariables())

/// Feeds for the pictures at `indices`: images flattened to 784 numbers, labels as whole numbers.
func feed(_ data: MNIST, _ indices: [Int]) -> [Node: NDArray] {
    let batch = data.batch(indices)
    return [
        images: batch.images.reshaped([-1, 784]),
        labels: NDArray(shape: [indices.count], scalars: batch.labels.map(Float.init)),
    ]
}

/// The share of the test set the model labels correctly: fetch only `predictions`, so the session
/// runs only the forward part of the graph (no loss, no backward, no update).
func accuracy() throws -> Float {
    let predicted = try session.run(predictions, feed: feed(test, Array(0..<test.count))).scalars
    return Float(zip(predicted, test.labels).filter { Int($0) == $1 }.count) / Float(test.count)
}
// What the session will actually execute per step, after its optimisation passes (tutorial 09).
// Every kernel call, the six variable updates included (a weight's update computes its gradient's
// matrix product itself, "(matmul)", so that gradient is never stored: tutorial 10).
let planned = try session.plannedKernels(fetches: [loss, trainOp], feedKeys: [images, labels])
let updates = planned.filter { $0.hasSuffix("_update") || $0.hasSuffix("_update(matmul)") }
print("one training step runs \(planned.count) kernels: \(planned.count - updates.count) forward and backward, \(updates.count) updates")
print("  " + planned.joined(separator: " "))
print(String(format: "accuracy before training: %.3f (chance is 0.1)", try accuracy()))

let shuffler = Generator(seed: 0)
var losses: [Float] = []  // every step's loss, for the curve
let epochs = quick ? 1 : 5
let stepsPerEpoch = quick ? 30 : train.count / 64
for epoch in 1...epochs {
    let order = shuffler.permutation(train.count)
    let start = Date()
    var total: Float = 0
    for step in 0..<stepsPerEpoch {
        let batch = Array(order[(step * 64)..<((step + 1) * 64)])
        // One run = forward + backward + update. Fetching `loss` alongside costs nothing extra.
        let out = try session.run([loss, trainOp], feed: feed(train, batch))
        total += out[0].scalar
        losses.append(out[0].scalar)
        if epoch == 1 && step == 0 { print(String(format: "first batch: loss %.4f", out[0].scalar)) }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "epoch %d: mean loss %.4f, test accuracy %.3f, %.2f s (%.2f ms/step)",
        epoch, total / Float(stepsPerEpoch), try accuracy(), seconds, seconds * 1000 / Double(stepsPerEpoch)))
}

// The loss curve, as a picture next to the output: the same curve as tutorial 04's.
let curvePath = URL(fileURLWithPath: "tutorial-05-loss.svg").path
let curve = SVGPlot.lineChart(
    title: "Tutorial 05: training loss per step (graph MLP)", xLabel: "step", yLabel: "cross-entropy loss",
    series: [.init(name: "loss", color: SVGPlot.graphColor, points: losses.enumerated().map { (Double($0.offset + 1), Double($0.element)) })],
    includeZero: true)
try SVGPlot.standalone(curve).write(toFile: curvePath, atomically: true, encoding: .utf8)
print("wrote the loss curve to \(curvePath)")
