// Tutorial 04: training an MLP on MNIST, eagerly (PyTorch-style).
//
// MNIST is 28x28 pictures of handwritten digits, each labelled 0-9. An MLP ("multi-layer
// perceptron") flattens a picture into 784 numbers and passes them through a few Linear layers
// with ReLU in between; the last layer gives 10 scores, one per digit. Training shows it batches of
// pictures, measures how wrong the scores are (cross-entropy), and nudges the weights downhill.
//
// Run: swift run -c release tutorial-04-mlp-eager      (add --quick for a shorter run)
import Foundation
import TandemCompare
import TandemEager

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

/// The value of `--name=value` on the command line (the README's exercises change these), or `fallback`.
func option(_ name: String, _ fallback: Float) -> Float {
    CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--\(name)=") ? Float($0.dropFirst(name.count + 3)) : nil }.first ?? fallback
}
let width = Int(option("width", 512))  // the first hidden layer; the second is half as wide
let learningRate = option("lr", 0.05)

print("== 1. The data ==")
let train = try MNIST.load(.train)  // the bundled subset: 4,000 training pictures
let test = try MNIST.load(.test)  // and 1,000 held back to measure accuracy honestly
print("train images", formatShape(train.images.shape), " test images", formatShape(test.images.shape))
// Draw the first picture with characters, darkest pixels as '#'.
let first = train.batch([0])
for row in 0..<28 where row % 2 == 0 {
    print((0..<28).map { col -> String in
        let v = first.images[0, 0, row, col]
        return v > 0.6 ? "#" : v > 0.2 ? "+" : " "
    }.joined())
}
print("its label:", first.labels[0])

print("\n== 2. The model ==")
manualSeed(0)  // same seed, same initial weights, same result every run
// Each Linear starts with random weights drawn uniformly from +-1/sqrt(fan-in) (PyTorch's default,
// "Kaiming uniform"): small enough that the scores start near zero, large enough that the layers'
// outputs neither vanish nor blow up as they pass through the stack.
let model = Sequential {
    Linear(784, width)
    ReLU()
    Linear(width, width / 2)
    ReLU()
    Linear(width / 2, 10)
}
for (name, p) in model.namedParameters { print(name, formatShape(p.shape)) }
print("parameters:", model.parameters.map(\.array.count).reduce(0, +))

/// The share of `images` the model labels correctly.
func accuracy(_ images: NDArray, _ labels: [Int]) -> Float {
    let scores = noGrad { model(Tensor(images.reshaped([-1, 784]))) }  // no tape: we only look
    let predicted = scores.argmax(dim: 1).scalars
    return Float(zip(predicted, labels).filter { Int($0) == $1 }.count) / Float(labels.count)
}
let accuracyBefore = accuracy(test.images, test.labels)
print(String(format: "accuracy before training: %.3f (chance is 0.1)", accuracyBefore))

print("\n== 3. Training ==")
// lr: how far each step moves the weights along the gradient. momentum 0.9: each step moves along a
// running sum of past gradients (decayed by 0.9 per step), which smooths out noisy batches.
let optimizer = SGD(model.parameters, lr: learningRate, momentum: 0.9)
// dropLast skips the final short batch (4000 = 62 x 64 + 32), so tutorial 05 can use the very same batches.
let loader = DataLoader(MNISTDataset(train, flatten: true), batchSize: 64, shuffle: true, seed: 0, dropLast: true)
let epochs = quick ? 1 : 5
let maxSteps = quick ? 30 : Int.max  // quick mode: a few dozen steps are enough to see learning
var step = 0
var losses: [Float] = []  // every step's loss, for the curve
for epoch in 1...epochs {
    let start = Date()
    var total: Float = 0, batches = 0
    for (images, labels) in loader {
        if step >= maxSteps { break }
        optimizer.zeroGrad()  // 1. forget last step's gradients
        let loss = crossEntropy(model(images), labels)  // 2. forward: runs now, records the tape
        loss.backward()  // 3. backward: d(loss)/d(every weight)
        optimizer.step()  // 4. update the weights
        total += loss.item()
        losses.append(loss.item())
        batches += 1
        step += 1
        if step == 1 { print(String(format: "first batch: loss %.4f (about ln 10 = 2.30 for random guesses)", loss.item())) }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "epoch %d: mean loss %.4f, test accuracy %.3f, %.2f s (%.2f ms/step)",
        epoch, total / Float(batches), accuracy(test.images, test.labels), seconds, seconds * 1000 / Double(batches)))
}

// The loss curve, as a picture next to the output (open it in a browser).
let curvePath = URL(fileURLWithPath: "tutorial-04-loss.svg").path
let curve = SVGPlot.lineChart(
    title: "Tutorial 04: training loss per step (eager MLP)", xLabel: "step", yLabel: "cross-entropy loss",
    series: [.init(name: "loss", color: SVGPlot.eagerColor, points: losses.enumerated().map { (Double($0.offset + 1), Double($0.element)) })],
    includeZero: true)
try SVGPlot.standalone(curve).write(toFile: curvePath, atomically: true, encoding: .utf8)
print("wrote the loss curve to \(curvePath)")
