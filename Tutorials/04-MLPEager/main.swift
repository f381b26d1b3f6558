// Tutorial 04: training an MLP on MNIST, eagerly (PyTorch-style).
//
// MNIST is 28x28 pictures of handwritten digits, each labelled 0-9. An MLP ("multi-layer
// perceptron") flattens a picture into 784 numbers and passes them through a few Linear layers
// with ReLU in between; the last layer gives 10 scores, one per digit. Training shows it batches of
// pictures, measures how wrong the scores are (cross-entropy), and nudges the weights downhill.
//
// Run: swift run -c release tutorial-04-mlp-eager      (add --quick for a shorter run)
import Foundation
import TandemEager

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

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
let model = Sequential {
    Linear(784, 512)
    ReLU()
    Linear(512, 256)
    ReLU()
    Linear(256, 10)
}
for (name, p) in model.namedParameters { print(name, formatShape(p.shape)) }
print("parameters:", model.parameters.map(\.array.count).reduce(0, +))

/// The share of `images` the model labels correctly.
func accuracy(_ images: NDArray, _ labels: [Int]) -> Float {
    let scores = noGrad { model(Tensor(images.reshaped([-1, 784]))) }  // no tape: we only look
    let predicted = scores.argmax(dim: 1).scalars
    return Float(zip(predicted, labels).filter { Int($0) == $1 }.count) / Float(labels.count)
}
print(String(format: "accuracy before training: %.3f (chance is 0.1)", accuracy(test.images, test.labels)))

print("\n== 3. Training ==")
let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
// dropLast skips the final short batch (4000 = 62 x 64 + 32), so tutorial 05 can use the very same batches.
let loader = DataLoader(MNISTDataset(train, flatten: true), batchSize: 64, shuffle: true, seed: 0, dropLast: true)
let epochs = quick ? 1 : 5
let maxSteps = quick ? 30 : Int.max  // quick mode: a few dozen steps are enough to see learning
var step = 0
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
        batches += 1
        step += 1
        if step == 1 { print(String(format: "first batch: loss %.4f (about ln 10 = 2.30 for random guesses)", loss.item())) }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "epoch %d: mean loss %.4f, test accuracy %.3f, %.2f s (%.2f ms/step)",
        epoch, total / Float(batches), accuracy(test.images, test.labels), seconds, seconds * 1000 / Double(batches)))
}
