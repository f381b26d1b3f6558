// Tutorial 11: saving and loading. A state dict versus a self-contained graph file.
//
// Eager (PyTorch-style): you save the model's NUMBERS, a dictionary from names ("0.weight") to
// arrays, in the safetensors format PyTorch also reads. To use them again you need the model's
// CODE too: build the same layers, then load the numbers into them.
// Graph (TensorFlow-style): the graph itself is data, so one file can hold both the computation and
// the numbers. A program with none of the building code can load it and run it, by node name.
//
// Sections 6 and 7 resume training: a Checkpoint (model, optimizer, scheduler, epoch) in eager, the
// global step and optimizer slots in the graph file.
//
// Run: swift run -c release tutorial-11-saving-loading      (add --quick for a shorter run)
import Foundation
import TandemEager
import TandemGraph

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-tutorial-11-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let probe = NDArray(shape: [2, 4], scalars: [1, 0, -1, 2, 0.5, 0.5, 0.5, 0.5])

print("== 1. Eager: save a state dict ==")
/// The model's code: needed both to save and to load.
func makeModel() -> TandemEager.Sequential {
    TandemEager.Sequential {
        Linear(4, 8)
        ReLU()
        Linear(8, 3)
    }
}
manualSeed(0)
let model = makeModel()
let stateDict = model.stateDict()
for key in stateDict.keys.sorted() { print(key, formatShape(stateDict[key]!.shape)) }
let stateFile = directory.appendingPathComponent("model.safetensors")
try save(stateDict, to: stateFile)
print("wrote", stateFile.lastPathComponent, try FileManager.default.attributesOfItem(atPath: stateFile.path)[.size]!, "bytes")

print("\n== 2. Eager: load it into a fresh model (the code is needed) ==")
// The README's exercise: `--fresh-seed=N` builds the fresh model from another seed (123 by default).
let freshSeed = CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--fresh-seed=") ? UInt64($0.dropFirst(13)) : nil }.first ?? 123
manualSeed(freshSeed)  // different random weights...
let restored = makeModel()
let expected = model(Tensor(probe)).scalars
print("before loading, outputs agree:", restored(Tensor(probe)).scalars == expected)
try restored.loadStateDict(try load(from: stateFile))  // ...replaced by the saved ones
print("after loading, outputs agree: ", restored(Tensor(probe)).scalars == expected)

print("\n== 3. Graph: one file holds the graph and its weights ==")
let graphFile = directory.appendingPathComponent("model.tandemgraph")
do {
    // Everything in this block is the "building code"; it is gone once the block ends.
    manualSeed(0)
    let g = Graph()
    let x = g.placeholder(shape: [nil, 4], name: "input")
    let w = g.variable(Initializer.kaimingUniform([8, 4]), name: "w")
    let b = g.variable(NDArray(zeros: [8]), name: "b")
    // A name scope prefixes the names of the nodes built inside it, so we can find them later.
    let scores = g.withNameScope("scores") { linear(x, weight: w, bias: b).relu().sum(dim: 1) }
    print("the node to fetch later is named '\(scores.name)'")
    let session = Session(graph: g)
    try session.run(g.initializeVariables())
    print("built and ran: scores =", try session.run(scores, feed: [x: probe]).scalars)
    try g.save(to: graphFile, session: session)
}
print("wrote", graphFile.lastPathComponent, try FileManager.default.attributesOfItem(atPath: graphFile.path)[.size]!, "bytes")

print("\n== 4. Graph: load and run it with no building code ==")
// Only names and arrays from here on: this could be another program, with no model code at all.
let loaded = try Graph.load(from: graphFile)
print("loaded \(loaded.graph.nodes.count) nodes; variables:", loaded.graph.variables.map { "\($0.name) \(formatShape($0.shape))" })
let fetched = try loaded.run(["scores/sum"], feed: ["input": probe])
print("loaded and ran: scores =", fetched[0].scalars)

print("\n== 5. A damaged file is an error, not a crash ==")
let damaged = directory.appendingPathComponent("damaged.tandemgraph")
let bytes = try Data(contentsOf: graphFile)
try bytes.prefix(bytes.count / 2).write(to: damaged)  // cut it in half
do {
    _ = try Graph.load(from: damaged)
} catch {
    print("graph file error:", error)
}
let damagedState = directory.appendingPathComponent("damaged.safetensors")
try Data(contentsOf: stateFile).prefix(40).write(to: damagedState)
do {
    _ = try load(from: damagedState)
} catch {
    print("state dict error:", error)
}

print("\n== 6. Eager: a checkpoint resumes training exactly ==")
// Model weights alone are not enough to resume: AdamW keeps two averages and a step count per
// weight, and the schedule knows how far it is. A Checkpoint holds all of it, and the epoch.
let xs = Tensor(NDArray(shape: [6, 4], scalars: (0..<24).map { Float($0 % 7) / 7 - 0.4 }))
let ys = Tensor(labels: [0, 1, 2, 0, 1, 2])
func trainEpochs(_ model: TandemEager.Sequential, _ optimizer: Optimizer, _ scheduler: LRScheduler, _ epochs: Int) -> [Float] {
    (0..<epochs).map { _ in
        optimizer.zeroGrad()
        let loss = crossEntropy(model(xs), ys)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()
    }
}
manualSeed(1)
let straight = makeModel()
let straightOptimizer = AdamW(straight.parameters, lr: 0.05)
let straightLosses = trainEpochs(straight, straightOptimizer, CosineAnnealingLR(straightOptimizer, tMax: 6), 6)

manualSeed(1)
let first = makeModel()
let firstOptimizer = AdamW(first.parameters, lr: 0.05)
let firstScheduler = CosineAnnealingLR(firstOptimizer, tMax: 6)
var losses = trainEpochs(first, firstOptimizer, firstScheduler, 3)
let checkpointFile = directory.appendingPathComponent("run.checkpoint")
try Checkpoint(model: first, optimizer: firstOptimizer, scheduler: firstScheduler, epoch: 3).save(to: checkpointFile)

// "Another process": fresh objects, then everything comes from the file.
let resumed = makeModel()
let resumedOptimizer = AdamW(resumed.parameters, lr: 0.05)
let resumedScheduler = CosineAnnealingLR(resumedOptimizer, tMax: 6)
let checkpoint = try Checkpoint(contentsOf: checkpointFile)
try checkpoint.restore(model: resumed, optimizer: resumedOptimizer, scheduler: resumedScheduler)
print("resuming at epoch \(checkpoint.epoch), learning rate \(resumedOptimizer.lr)")
losses += trainEpochs(resumed, resumedOptimizer, resumedScheduler, 6 - checkpoint.epoch)
print("resumed run equals the uninterrupted run bit for bit:", losses == straightLosses)

print("\n== 7. Graph: the graph file carries the global step and the optimizer's slots ==")
/// A training graph whose rate decays with the global step its train op increments.
func buildTraining() -> (g: Graph, feed: [Node: NDArray], loss: Node, train: Node) {
    manualSeed(2)
    let g = Graph()
    let x = g.placeholder(shape: [nil, 4], name: "x")
    let y = g.labelsPlaceholder(name: "y")
    let w = g.variable(Initializer.kaimingUniform([3, 4]), name: "w")
    let loss = g.identity(crossEntropy(x.matmul(w.transpose(0, 1)), y), name: "loss")
    let step = g.globalStep()
    let rate = exponentialDecay(learningRate: 0.5, globalStep: step, decaySteps: 2, decayRate: 0.5, staircase: true)
    let train = MomentumOptimizer(learningRate: rate, momentum: 0.9, useNesterov: true).minimize(loss, globalStep: step)
    return (g, [x: xs.array, y: NDArray(shape: [6], scalars: [0, 1, 2, 0, 1, 2])], loss, train)
}
let reference = buildTraining()
let referenceSession = Session(graph: reference.g)
try referenceSession.run(reference.g.initializeVariables())
let referenceLosses = try (0..<6).map { _ in try referenceSession.run([reference.loss, reference.train], feed: reference.feed)[0].scalar }

let interrupted = buildTraining()
let session = Session(graph: interrupted.g)
try session.run(interrupted.g.initializeVariables())
var graphLosses = try (0..<3).map { _ in try session.run([interrupted.loss, interrupted.train], feed: interrupted.feed)[0].scalar }
let trainingFile = directory.appendingPathComponent("training.tandemgraph")
try interrupted.g.save(to: trainingFile, session: session)

// Loaded by name, as a program without the building code would.
let reopened = try Graph.load(from: trainingFile)
let trainName = interrupted.train.name
print("loaded global step:", try reopened.session.value(of: reopened.graph.globalStep()).scalar,
      " slots:", try reopened.session.optimizerSlots(of: reopened.node(named: trainName)).keys.sorted())
let feedByName = ["x": xs.array, "y": NDArray(shape: [6], scalars: [0, 1, 2, 0, 1, 2])]
for _ in 0..<3 { graphLosses.append(try reopened.run(["loss", trainName], feed: feedByName)[0].scalar) }
print("resumed graph run equals the uninterrupted run bit for bit:", graphLosses == referenceLosses)
