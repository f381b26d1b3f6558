// Tutorial 10: memory. Why the eager tape holds activations, and how the graph's planner reuses buffers.
//
// To compute gradients, backward needs values from the forward pass: relu's backward needs to know
// where its input was positive, a matmul's backward needs its input. In eager mode nobody knows
// what comes next, so the tape must KEEP every such value until backward has used it. A graph is
// known in advance: a planner can see the last use of every buffer, free it right then, and hand
// the same memory to a later op. MemoryStats counts every array byte, so we can watch both.
//
// Run: swift run -c release tutorial-10-memory      (add --quick for a shorter run)
import Foundation
import TandemEager
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

// Activations dominate when the batch is large next to the layer width, as in most real training.
let batch = quick ? 256 : 1024, width = 256, depth = 6
manualSeed(0)
let weights = (0..<depth).map { _ in Initializer.kaimingUniform([width, width]) }
let biases = (0..<depth).map { _ in NDArray(zeros: [width]) }
let input = NDArray(shape: [batch, width], scalars: Generator.global.uniform(count: batch * width, low: -1, high: 1))
let activationBytes = batch * width * 4
print("\(depth) layers of \(width) units, batch \(batch): one activation is \(kilobytes(activationBytes))")

func kilobytes(_ bytes: Int) -> String { String(format: "%.0f KiB", Double(bytes) / 1024) }

print("\n== 1. Eager: the tape keeps activations alive ==")
let eagerWeights = weights.map { Tensor($0, requiresGrad: true) }
let eagerBiases = biases.map { Tensor($0, requiresGrad: true) }
func forward() -> Tensor {
    var h = Tensor(input)
    for i in 0..<depth { h = linear(h, weight: eagerWeights[i], bias: eagerBiases[i]).relu() }
    return h.mean()
}
let base = MemoryStats.liveBytes
MemoryStats.resetPeak()
let noTape = noGrad { forward() }
print("forward without a tape (noGrad): peak +\(kilobytes(MemoryStats.peakBytes - base)), held afterwards +\(kilobytes(MemoryStats.liveBytes - base))")
_ = noTape

MemoryStats.resetPeak()
let loss = forward()
let held = MemoryStats.liveBytes - base
print("forward WITH a tape:             held afterwards +\(kilobytes(held)) = about \(held / activationBytes) activations")
loss.backward()
let eagerPeak = MemoryStats.peakBytes - base
print("after backward:                  held +\(kilobytes(MemoryStats.liveBytes - base)) (the tape is freed; gradients remain)")
print("eager training step peak:        +\(kilobytes(eagerPeak))")

print("\n== 2. Graph: a planner reuses buffers ==")
let g = Graph()
let x = g.placeholder(shape: [nil, width], name: "x")
let ws = weights.enumerated().map { g.variable($1, name: "w\($0)") }
let bs = biases.enumerated().map { g.variable($1, name: "b\($0)") }
var h = x
for i in 0..<depth { h = linear(h, weight: ws[i], bias: bs[i]).relu() }
let graphLoss = h.mean()
let grads = g.gradients(of: graphLoss, with: ws + bs)
let initialize = g.initializeVariables()
let graphBase = MemoryStats.liveBytes  // before the session exists: everything it holds counts
let session = Session(graph: g)
try session.run(initialize)
var fetched = try session.run([graphLoss] + grads, feed: [x: input])  // first run: plan and allocate
fetched = []  // hand the fetched arrays back
print("held by the session between steps: +\(kilobytes(MemoryStats.liveBytes - graphBase)) (its reusable buffers)")
MemoryStats.resetPeak()
let allocationsBefore = MemoryStats.allocationCount
fetched = try session.run([graphLoss] + grads, feed: [x: input])  // a steady-state step
let graphPeak = MemoryStats.peakBytes - graphBase
print("graph training step peak:        +\(kilobytes(graphPeak)) (buffers, fetched gradients included)")
print("buffers allocated during the step: \(MemoryStats.allocationCount - allocationsBefore) (the fetched results, and little else)")

print("\n== 3. Side by side ==")
print(String(format: "eager peak %@, graph peak %@: graph/eager = %.2f",
    kilobytes(eagerPeak), kilobytes(graphPeak), Double(graphPeak) / Double(eagerPeak)))
print("both computed the same loss:", loss.item(), fetched[0].scalar)
