// Tutorial 11: saving and loading. A state dict versus a self-contained graph file.
//
// Eager (PyTorch-style): you save the model's NUMBERS, a dictionary from names ("0.weight") to
// arrays, in the safetensors format PyTorch also reads. To use them again you need the model's
// CODE too: build the same layers, then load the numbers into them.
// Graph (TensorFlow-style): the graph itself is data, so one file can hold both the computation and
// the numbers. A program with none of the building code can load it and run it, by node name.
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
manualSeed(123)  // different random weights...
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
