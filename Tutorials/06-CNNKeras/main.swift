// Tutorial 06: a convolutional network with the Keras-style API.
//
// A convolution slides small 3x3 filters over the picture, so the network looks for the same
// stroke or corner everywhere instead of learning each pixel position separately: the convolution
// layer has only 320 weights. (The whole network is NOT smaller than tutorial 04's MLP: the Dense
// layer after the convolution holds most of its 693,962 weights, against the MLP's 535,818.)
// Keras-style code says WHAT the model is
// (a list of layers) and lets `compile` and `fit` write the training loop; underneath, it is the
// graph and session of tutorials 03 and 05.
//
// Run: swift run -c release tutorial-06-cnn-keras      (add --quick for a shorter run)
import Foundation
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
// The README's exercise: `--filters=N` changes the number of convolution filters (32 by default).
let filters = CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--filters=") ? Int($0.dropFirst(10)) : nil }.first ?? 32

let train = try MNIST.load(.train)
let test = try MNIST.load(.test)
// Quick mode trains on a slice so a debug build finishes in seconds.
let trainCount = quick ? 512 : train.count
let trainSet = train.batch(Array(0..<trainCount))
let testSet = quick ? test.batch(Array(0..<200)) : test.batch(Array(0..<test.count))
print("training on", formatShape(trainSet.images.shape), " testing on", formatShape(testSet.images.shape))

print("\n== 1. The model: a list of layers ==")
manualSeed(0)
let model = Sequential([
    Conv2D(filters, kernelSize: 3, activation: .relu),  // 32 filters of 3x3: [N,1,28,28] -> [N,32,26,26]
    MaxPooling2D(poolSize: 2),  // keep the largest of each 2x2: -> [N,32,13,13]
    Flatten(),  // -> [N, 5408]
    Dense(128, activation: .relu),
    Dense(10),  // one score per digit
])
model.compile(
    optimizer: .sgd(learningRate: 0.05, momentum: 0.9),
    loss: .sparseCategoricalCrossentropy(fromLogits: true),
    metrics: [.accuracy])
print("layers:", model.layers.map { String(describing: type(of: $0)) })
print("nothing is built yet: the graph is made at the first fit, when the input shape is known")

print("\n== 2. fit: the training loop, written for you ==")
let epochs = quick ? 1 : 5
// The first fit builds the graph (the input shape comes from the data), then trains on it.
// In a terminal, fit draws a progress bar on stderr; here we print the history it returns.
// Batch 32 is Keras' default.
let history = try model.fit(trainSet.images, trainSet.labels, epochs: epochs, batchSize: 32)
for epoch in 0..<history.loss.count {
    print(String(format: "epoch %d: loss %.4f, training accuracy %.3f, %.1f s",
        epoch + 1, history.loss[epoch], history.accuracy[epoch], history.epochSeconds[epoch]))
}
print("variables:", model.variables.map { "\($0.name) \(formatShape($0.shape))" })
let counts = model.variables.map { $0.shape.reduce(1) { $0 * ($1 ?? 0) } }
print("parameters: \(counts.reduce(0, +)), of which the convolution's: \(counts[0] + counts[1]) (tutorial 04's MLP: 535818)")

print("\n== 3. evaluate and predict ==")
let results = try model.evaluate(testSet.images, testSet.labels)
print(String(format: "test loss %.4f, test accuracy %.3f", results["loss"] ?? .nan, results["accuracy"] ?? .nan))
let scores = try model.predict(test.batch(Array(0..<8)).images)
let predicted = (0..<8).map { i in (0..<10).max { scores[i, $0] < scores[i, $1] }! }
print("first 8 test digits:  ", Array(test.labels[0..<8]))
print("the model's guesses:  ", predicted)

print("\n== 4. The running example: tutorial 04's MLP, the Keras way ==")
// The same layers as tutorials 04 and 05 (784 -> 512 -> 256 -> 10), trained the same way as the
// CNN above, so the two can be compared on the same pictures. (Keras' Dense starts from Glorot-
// uniform weights, not PyTorch's default, so its numbers are not tutorial 04's.)
manualSeed(0)
let mlp = Sequential([
    Flatten(),
    Dense(512, activation: .relu),
    Dense(256, activation: .relu),
    Dense(10),
])
mlp.compile(
    optimizer: .sgd(learningRate: 0.05, momentum: 0.9),
    loss: .sparseCategoricalCrossentropy(fromLogits: true),
    metrics: [.accuracy])
_ = try mlp.fit(trainSet.images, trainSet.labels, epochs: epochs, batchSize: 32)
let mlpWeights = mlp.variables.map { $0.shape.reduce(1) { $0 * ($1 ?? 0) } }.reduce(0, +)
let mlpTest = try mlp.evaluate(testSet.images, testSet.labels)["accuracy"] ?? .nan
let cnnTest = results["accuracy"] ?? .nan
print("MLP parameters: \(mlpWeights) (tutorial 04's: 535818)")
// The comparison is worded from the two measured accuracies, never fixed in advance.
let verdict = cnnTest > mlpTest ? "the CNN is more accurate" : cnnTest < mlpTest ? "the MLP is more accurate" : "they tie"
print(String(format: "test accuracy: CNN %.3f, MLP %.3f on the same %d pictures: %@", cnnTest, mlpTest, testSet.labels.count, verdict))
