// Tutorial 14: dynamic models. One LSTM on digits of different lengths, three ways.
//
// Read an MNIST digit row by row and it is a sequence of 28 rows of 28 pixels. Crop the empty
// rows above and below the digit and every image becomes a sequence of its own length: a "1"
// is tall, a "-"-like "7" may be short. Models over such data are where the frontends differ:
// - eager (PyTorch): an ordinary Swift loop over the time steps of each batch; `LSTM` takes the
//   lengths and, like a packed sequence, runs each sequence to its own end and no further;
// - graph (TensorFlow 1.x) with `whileLoop`: one graph whose trip count is fed with each batch
//   (the batch's longest length); shorter sequences keep their state through a mask, as
//   `tf.nn.dynamic_rnn(sequence_length=)` does;
// - graph with padding: every batch padded to the longest possible length (28), static shapes,
//   the same mask: the simplest graph, and the one that computes the most.
// All three compute the same function: same weights, same losses, only the cost differs.
//
// Run: swift run -c release tutorial-14-dynamic-models      (add --quick for a shorter run)
// Exercises (see README.md): --no-crop, --bucket, --hidden N.
import Foundation
import TandemEager
import TandemGraph

/// The value after a command-line flag (`--hidden 16`), or nil.
func flag(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
let crop = !CommandLine.arguments.contains("--no-crop")
let bucket = CommandLine.arguments.contains("--bucket")
let batchSize = Int(flag("--batch-size") ?? "") ?? 32
let hidden = Int(flag("--hidden") ?? "") ?? 32
let epochs = quick ? 1 : 2
let (trainCount, testCount) = quick ? (512, 256) : (4000, 1000)
let learningRate: Float = 0.01  // Adam, the same update in both frontends

print("== 1. Digits as sequences of rows, cropped to their own length ==")
let train = try MNIST.load(.train), test = try MNIST.load(.test)

/// An image's rows from its first to its last row with ink, a pixel above 0.5 (all 28 without
/// cropping). MNIST centres each digit in a 20x20 box, so nearly every digit has faint ink in 20
/// rows; the strokes themselves vary more.
func rows(_ data: MNIST, _ index: Int) -> [[Float]] {
    let pixels = Array(data.images.scalars[(index * 784)..<((index + 1) * 784)])
    let all = (0..<28).map { Array(pixels[($0 * 28)..<(($0 + 1) * 28)]) }
    guard crop, let first = all.firstIndex(where: { $0.contains { $0 > 0.5 } }),
          let last = all.lastIndex(where: { $0.contains { $0 > 0.5 } }) else { return all }
    return Array(all[first...last])
}
let trainRows = (0..<trainCount).map { rows(train, $0) }, testRows = (0..<testCount).map { rows(test, $0) }
let lengths = trainRows.map(\.count)
var histogram: [Int: Int] = [:]
for length in lengths { histogram[length, default: 0] += 1 }
print("\(trainCount) training digits, lengths \(lengths.min()!)...\(lengths.max()!), mean \(String(format: "%.1f", Double(lengths.reduce(0, +)) / Double(trainCount)))")
for length in histogram.keys.sorted() {
    let count = histogram[length]!
    print(String(format: "  %2d rows %5d  ", length, count) + String(repeating: "#", count: max(1, count * 60 / trainCount)))
}

/// A batch padded with zero rows to `width` steps: `[batch, width, 28]`, and each length.
func batch(_ data: [[[Float]]], _ indices: [Int], width: Int? = nil) -> (x: NDArray, lengths: [Int]) {
    let lengths = indices.map { data[$0].count }
    let steps = width ?? lengths.max()!
    var scalars = [Float](repeating: 0, count: indices.count * steps * 28)
    for (b, index) in indices.enumerated() {
        for (t, row) in data[index].enumerated() { scalars.replaceSubrange(((b * steps + t) * 28)..<((b * steps + t + 1) * 28), with: row) }
    }
    return (NDArray(shape: [indices.count, steps, 28], scalars: scalars), lengths)
}

// The same initial weights for every strategy (PyTorch's initialisation, drawn once).
manualSeed(0)
let initialLSTM = TandemEager.LSTM(inputSize: 28, hiddenSize: hidden)
let initialHead = Linear(hidden, 10)
print("LSTM(28, \(hidden)) parameters: \(initialLSTM.parameters.map(\.count).reduce(0, +)), batches of \(batchSize)")
let initial = initialLSTM.stateDict().merging(initialHead.stateDict().mapKeys { "head." + $0 }) { a, _ in a }
// One shuffled order of batches for all strategies. With --bucket, each epoch's digits are
// sorted by length before they are cut into batches (the batches then shuffled): TensorFlow's
// bucket_by_sequence_length, so a batch's longest digit is close to all of its digits.
let generator = Generator(seed: 1)
let schedule = (0..<epochs).flatMap { _ -> [[Int]] in
    var order = generator.permutation(trainCount)
    if bucket {  // by length, ties kept in their shuffled order
        order = order.enumerated().sorted { (trainRows[$0.element].count, $0.offset) < (trainRows[$1.element].count, $1.offset) }.map(\.element)
    }
    let batches = stride(from: 0, to: trainCount - batchSize + 1, by: batchSize).map { Array(order[$0..<($0 + batchSize)]) }
    return bucket ? generator.permutation(batches.count).map { batches[$0] } : batches
}

extension Dictionary {
    func mapKeys(_ transform: (Key) -> Key) -> [Key: Value] { Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) }) }
}

/// What one strategy did: its losses, its time, how many (row, step) LSTM steps it computed.
struct Run {
    var losses: [Float] = []
    var seconds = 0.0
    var rowSteps = 0
    var accuracy = 0.0
}

print("\n== 2. Eager: a Swift loop to each sequence's own length ==")
// The whole model is ordinary Swift: the loop over time lives inside LSTM, each batch is as long
// as its longest digit, and `lengths:` stops every digit at its own last row.
let lstm = TandemEager.LSTM(inputSize: 28, hiddenSize: hidden)
let head = Linear(hidden, 10)
try lstm.loadStateDict(initial.filter { !$0.key.hasPrefix("head.") })
try head.loadStateDict(initial.filter { $0.key.hasPrefix("head.") }.mapKeys { String($0.dropFirst(5)) })
func eagerLogits(_ x: NDArray, _ lengths: [Int]) -> Tensor {
    let (_, h, _) = lstm(Tensor(x), lengths: lengths)   // h: each digit's state after its last row
    return head(h.squeeze(dim: 0))
}
let optimizer = Adam(lstm.parameters + head.parameters, lr: learningRate)
var eager = Run()
var start = Date()
for indices in schedule {
    let (x, lengths) = batch(trainRows, indices)
    optimizer.zeroGrad()
    let loss = crossEntropy(eagerLogits(x, lengths), Tensor(labels: indices.map { train.labels[$0] }))
    loss.backward()
    optimizer.step()
    eager.losses.append(loss.item())
    eager.rowSteps += lengths.reduce(0, +)
}
eager.seconds = Date().timeIntervalSince(start)
func accuracy(width: Int? = nil, _ predict: (NDArray, [Int]) throws -> [Int]) rethrows -> Double {
    var correct = 0
    for first in stride(from: 0, to: testCount, by: 250) {
        let indices = Array(first..<min(first + 250, testCount))
        let (x, lengths) = batch(testRows, indices, width: width)
        correct += zip(try predict(x, lengths), indices).filter { $0 == test.labels[$1] }.count
    }
    return Double(correct) / Double(testCount)
}
eager.accuracy = accuracy { x, lengths in noGrad { eagerLogits(x, lengths).argmax(dim: 1).scalars.map { Int($0) } } }
print(String(format: "%d steps, loss %.4f -> %.4f, test accuracy %.1f%%", schedule.count, eager.losses.first!, eager.losses.last!, 100 * eager.accuracy))

/// The graph model: one whileLoop over time with a trip count fed per batch; a digit whose
/// length has passed keeps its state (the mask), so the state after the loop is each digit's
/// state after its own last row, as in eager.
struct GraphModel {
    let x: Node, lengths: Node, steps: Node, labels: Node
    let loss: Node, train: Node, predicted: Node
    let session: Session

    init(staticSteps: Int?) throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, staticSteps, 28], name: "x")
        let lengths = g.placeholder(shape: [nil], name: "lengths")
        let steps = g.placeholder(shape: [], name: "steps")
        func variable(_ key: String) -> Node { g.variable(initial[key]!, name: key) }
        let (weightIH, weightHH) = (variable("weight_ih_l0"), variable("weight_hh_l0"))
        let (biasIH, biasHH) = (variable("bias_ih_l0"), variable("bias_hh_l0"))
        let (headWeight, headBias) = (variable("head.weight"), variable("head.bias"))
        let xs = x.transpose(0, 1)                                                   // [time, batch, 28]
        let zeros = lengths.reshape([-1, 1]) * g.constant(NDArray(zeros: [hidden]))  // [batch, hidden]
        let final = g.whileLoop(
            condition: { v in v[0].less(steps) },                                    // t < this batch's steps
            body: { v in
                let (t, h, c) = (v[0], v[1], v[2])
                let input = xs.indexSelect(dim: 0, index: t.reshape([1])).squeeze(dim: 0)
                let gates = linear(input, weight: weightIH, bias: biasIH) + linear(h, weight: weightHH, bias: biasHH)
                let next = lstmCell(gates: gates, cell: c, hiddenSize: hidden)
                let running = lengths.greater(t).reshape([-1, 1])                    // 1 while t < length
                return [t + 1, h + running * (next.h - h), c + running * (next.c - c)]
            },
            loopVariables: [g.constant(NDArray(0)), zeros, zeros])
        let logits = linear(final[1], weight: headWeight, bias: headBias)
        labels = g.labelsPlaceholder(name: "labels")
        loss = crossEntropy(logits, labels)
        train = AdamOptimizer(learningRate: learningRate).minimize(loss)
        predicted = logits.argmax(dim: 1)
        (self.x, self.lengths, self.steps) = (x, lengths, steps)
        session = Session(graph: g)
        try session.run(g.initializeVariables())
    }

    func feed(_ x: NDArray, _ lengths: [Int]) -> [Node: NDArray] {
        [self.x: x, self.lengths: NDArray(shape: [lengths.count], scalars: lengths.map(Float.init)),
         steps: NDArray(Float(x.shape[1]))]
    }
}

/// Trains a graph strategy on the schedule; `width` pads every batch to that many steps.
func trainGraph(width: Int?) throws -> Run {
    let model = try GraphModel(staticSteps: width)
    var run = Run()
    let start = Date()
    for indices in schedule {
        let (x, lengths) = batch(trainRows, indices, width: width)
        var feed = model.feed(x, lengths)
        feed[model.labels] = NDArray(shape: [indices.count], scalars: indices.map { Float(train.labels[$0]) })
        run.losses.append(try model.session.run([model.loss, model.train], feed: feed)[0].scalar)
        run.rowSteps += x.shape[0] * x.shape[1]
    }
    run.seconds = Date().timeIntervalSince(start)
    run.accuracy = try accuracy(width: width) { x, lengths in
        try model.session.run(model.predicted, feed: model.feed(x, lengths)).scalars.map { Int($0) }
    }
    return run
}

print("\n== 3. Graph: one whileLoop, its trip count fed with each batch ==")
let looped = try trainGraph(width: nil)
print(String(format: "%d steps, loss %.4f -> %.4f, test accuracy %.1f%%", schedule.count, looped.losses.first!, looped.losses.last!, 100 * looped.accuracy))

print("\n== 4. Graph: every batch padded to 28 rows (static shapes), the same mask ==")
let padded = try trainGraph(width: 28)
print(String(format: "%d steps, loss %.4f -> %.4f, test accuracy %.1f%%", schedule.count, padded.losses.first!, padded.losses.last!, 100 * padded.accuracy))

print("\n== 5. Same function, different cost ==")
func largestDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
print("first-step loss: eager \(eager.losses[0]), whileLoop \(looped.losses[0]), padded \(padded.losses[0])")
print(String(format: "largest loss difference over the first 5 steps: whileLoop %.2e, padded %.2e",
             largestDifference(Array(eager.losses.prefix(5)), Array(looped.losses.prefix(5))),
             largestDifference(Array(eager.losses.prefix(5)), Array(padded.losses.prefix(5)))))
print("strategy            LSTM row-steps   seconds   test accuracy")
for (name, run) in [("eager (packed)", eager), ("graph whileLoop", looped), ("graph padded to 28", padded)] {
    print(name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "  %14d  %8.2f  %13.1f%%", run.rowSteps, run.seconds, 100 * run.accuracy))
}
print("row-steps: eager computes each digit's own rows (\(eager.rowSteps)); the whileLoop computes every digit to its batch's longest (\(looped.rowSteps)); padding computes 28 rows for all (\(padded.rowSteps))")
