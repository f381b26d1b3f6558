// Tutorial 10: memory. Why the eager tape holds activations, and where the graph saves memory.
//
// To compute gradients, backward needs values from the forward pass: relu's backward needs to know
// where its output is positive, a matmul's backward needs its input. In eager mode nobody knows
// what comes next, so the tape must KEEP every such value until backward has used it (the same
// values PyTorch keeps). A graph is known in advance: a planner can see the last use of every
// buffer and hand the same memory to a later op, and the graph can compute a weight's gradient
// inside its update. MemoryStats counts every array byte, so we can watch all of it.
//
// Run: swift run -c release tutorial-10-memory      (add --quick for a shorter run)
import Foundation
import TandemCompare
import TandemEager
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

// Activations dominate when the batch is large next to the layer width, as in most real training.
// The README's exercise: `--depth=N` builds N layers instead of 6.
let depth = CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--depth=") ? Int($0.dropFirst(8)) : nil }.first ?? 6
let batch = quick ? 256 : 1024, width = 256
let learningRate: Float = 0.01, momentum: Float = 0.9, steps = 3
manualSeed(0)
let weights = (0..<depth).map { _ in Initializer.kaimingUniform([width, width]) }
let biases = (0..<depth).map { _ in NDArray(zeros: [width]) }
let input = NDArray(shape: [batch, width], scalars: Generator.global.uniform(count: batch * width, low: -1, high: 1))
let activationBytes = batch * width * 4
let parameterBytes = depth * (width * width + width) * 4
print("\(depth) layers of \(width) units, batch \(batch): one activation is \(kilobytes(activationBytes))")
print("the weights and biases: \(kilobytes(parameterBytes)); SGD's momentum buffers: as much again")

func kilobytes(_ bytes: Int) -> String { String(format: "%.0f KiB", Double(bytes) / 1024) }

print("\n== 1. Eager: the tape keeps activations alive ==")
let eagerWeights = weights.map { Tensor($0, requiresGrad: true) }
let eagerBiases = biases.map { Tensor($0, requiresGrad: true) }
func forward(_ ws: [Tensor] = eagerWeights, _ bs: [Tensor] = eagerBiases) -> Tensor {
    var h = Tensor(input)
    for i in 0..<depth { h = linear(h, weight: ws[i], bias: bs[i]).relu() }
    return h.mean()
}
// Everything the eager frontend allocates from here on counts (the tensors above share the
// arrays `weights` and `biases` until the first update writes them).
let base = MemoryStats.liveBytes
MemoryStats.resetPeak()
let noTape = noGrad { forward() }
print("forward without a tape (noGrad): peak +\(kilobytes(MemoryStats.peakBytes - base)), held afterwards +\(kilobytes(MemoryStats.liveBytes - base))")
_ = noTape

MemoryStats.resetPeak()
let tapeLoss = forward()
let held = MemoryStats.liveBytes - base
print("forward WITH a tape:             held afterwards +\(kilobytes(held)) = about \(held / activationBytes) activations")
tapeLoss.backward()
print("after backward:                  held +\(kilobytes(MemoryStats.liveBytes - base)) (the tape is freed; gradients remain)")

// A whole training step: zeroGrad, forward, backward, SGD with momentum. The first step makes
// the state a training loop keeps (the weights' own copy, the momentum buffers); the last one
// is measured, as a step in the middle of training.
let optimizer = SGD(eagerWeights + eagerBiases, lr: learningRate, momentum: momentum)
var eagerLosses: [Float] = []
var eagerPeak = 0
for _ in 0..<steps {
    MemoryStats.resetPeak()
    optimizer.zeroGrad()
    let loss = forward()
    eagerLosses.append(loss.item())
    loss.backward()
    optimizer.step()
    eagerPeak = MemoryStats.peakBytes - base
}
print("eager training step peak:        +\(kilobytes(eagerPeak)) (weights, momentum, gradients, activations)")

// The same training, with each parameter's SGD step taken inside backward, as soon as its gradient
// is ready, and the gradient dropped at once (PyTorch's "optimizer step in backward" recipe, with
// register_post_accumulate_grad_hook). Nothing of the graph is needed for this: it is a choice.
let hookedWeights = weights.map { Tensor($0, requiresGrad: true) }
let hookedBiases = biases.map { Tensor($0, requiresGrad: true) }
let hookedBase = MemoryStats.liveBytes
for p in hookedWeights + hookedBiases {
    let ownStep = SGD([p], lr: learningRate, momentum: momentum)
    p.registerPostAccumulateGradHook { p in
        ownStep.step()
        p.grad = nil
    }
}
var hookedLosses: [Float] = []
var hookedPeak = 0
for _ in 0..<steps {
    MemoryStats.resetPeak()
    let loss = forward(hookedWeights, hookedBiases)
    hookedLosses.append(loss.item())
    loss.backward()  // the steps run inside
    hookedPeak = MemoryStats.peakBytes - hookedBase
}
print("eager, step inside backward:     +\(kilobytes(hookedPeak)) (no weight gradient outlives its own update)")

print("\n== 2. Graph: a planner reuses buffers ==")
let g = Graph()
let x = g.placeholder(shape: [nil, width], name: "x")
let ws = weights.enumerated().map { g.variable($1, name: "w\($0)") }
let bs = biases.enumerated().map { g.variable($1, name: "b\($0)") }
var h = x
for i in 0..<depth { h = linear(h, weight: ws[i], bias: bs[i]).relu() }
let graphLoss = h.mean()
// The train op: the session splits it into one update per variable, run as soon as that
// variable's gradient is ready, and computes each weight's gradient product inside its update,
// so no weight gradient is ever stored.
let train = MomentumOptimizer(learningRate: learningRate, momentum: momentum).minimize(graphLoss)
let initialize = g.initializeVariables()
let graphBase = MemoryStats.liveBytes  // before the session exists: everything it holds counts
let session = Session(graph: g)
try session.run(initialize)
var graphLosses: [Float] = []
var graphPeak = 0, allocations = 0
for _ in 0..<steps {
    MemoryStats.resetPeak()
    let allocationsBefore = MemoryStats.allocationCount
    graphLosses.append(try session.run([graphLoss, train], feed: [x: input])[0].scalar)
    graphPeak = MemoryStats.peakBytes - graphBase
    allocations = MemoryStats.allocationCount - allocationsBefore
}
let between = MemoryStats.liveBytes - graphBase
print("held by the session between steps: +\(kilobytes(between)) = weights and momentum \(kilobytes(2 * parameterBytes))"
    + " + reusable buffers \(kilobytes(between - 2 * parameterBytes))")
print("graph training step peak:        +\(kilobytes(graphPeak)) (weights, momentum, planned buffers, the fetched loss)")
print("buffers allocated during the step: \(allocations) (the fetched loss; every other value reuses a planned buffer)")

print("\n== 3. Side by side ==")
print(String(format: "eager peak %@, eager with the step inside backward %@, graph peak %@: graph/eager = %.2f",
    kilobytes(eagerPeak), kilobytes(hookedPeak), kilobytes(graphPeak), Double(graphPeak) / Double(eagerPeak)))
print(String(format: "all hold the weights and momentum buffers (%@); above that: eager %@, step inside backward %@, graph %@",
    kilobytes(2 * parameterBytes), kilobytes(eagerPeak - 2 * parameterBytes), kilobytes(hookedPeak - 2 * parameterBytes),
    kilobytes(graphPeak - 2 * parameterBytes)))
print("of the gap: \(kilobytes(eagerPeak - hookedPeak)) a choice eager can make too (the step inside backward), \(kilobytes(hookedPeak - graphPeak)) planning")
print("losses, step by step: eager \(eagerLosses), step inside backward \(hookedLosses), graph \(graphLosses)")
print("both computed the same loss:", eagerLosses.last!, graphLosses.last!)
// The sentence `tandem compare`'s report uses for the same question.
print("why:", MemoryGap.sentence(eagerPeakBytes: eagerPeak, stepInBackwardPeakBytes: hookedPeak, graphPeakBytes: graphPeak))
