// Tutorial 09: graph optimisation. Constant folding and fusion, with the graph before and after.
//
// Because a graph is known before it runs, the session can rewrite it first, like a compiler:
// - constant folding: a part that depends on no input (2 * 3) is computed once, at build time;
// - common-subexpression elimination: the same op on the same inputs is computed once;
// - scalar constants: once folded, `x * (2 * 3)` is a unary "times 6" that can join a chain;
// - simplification: x * 1 and x + 0 disappear;
// - fusion: matmul + bias + relu become ONE kernel, and a chain of elementwise ops becomes one pass
//   over memory instead of one pass (and one temporary buffer) per op.
// The answer must not change, only the work. We check both.
//
// Run: swift run -c release tutorial-09-graph-optimisation      (add --quick for a shorter run)
//      Render the printed graphs with Graphviz: save a block to graph.dot, then `dot -Tsvg graph.dot`.
import Foundation
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

let width = 64, rows = quick ? 256 : 16384
manualSeed(0)
let g = Graph()
let x = g.placeholder(shape: [nil, width], name: "x")
let w = g.variable(Initializer.kaimingUniform([width, width]), name: "w")
let b = g.variable(NDArray(zeros: [width]), name: "b")

let scale = g.constant(NDArray(2)) * g.constant(NDArray(3))  // foldable: no input involved
let h = (x.matmul(w) + b).relu()  // fusable: matmul + bias + relu in one kernel
let again = (x.matmul(w) + b).relu()  // the same layer written twice: computed once, still fused
let y = (((h + again) * scale * 1) - 0.5).relu().sqrt() + 0  // "* 1" and "+ 0" vanish; the chain: one pass
let output = y.sum(dim: 1) + y.sum(dim: 1)  // the same sum twice: computed once (CSE)

print("== 1. The graph as written ==")
let before = try g.dot(fetches: [output], optimized: false)
print(before)

print("== 2. The graph the session will run ==")
let after = try g.dot(fetches: [output], optimized: true)
print(after)

// Two sessions on the same graph: one with every pass, one with none.
let initialize = g.initializeVariables()
let optimised = Session(graph: g)
let unoptimised = Session(graph: g, options: Session.Options(optimizer: .none))
try optimised.run(initialize)
try unoptimised.run(initialize)
let stepsBefore = try unoptimised.stepCount(fetches: [output], feedKeys: [x])
let stepsAfter = try optimised.stepCount(fetches: [output], feedKeys: [x])
print("nodes before optimisation: \(stepsBefore), after: \(stepsAfter)")
print("ops the optimised session runs:", try optimised.plannedOps(fetches: [output], feedKeys: [x]).map(\.description))

print("\n== 3. Same answer? ==")
let batch = NDArray(shape: [rows, width], scalars: Generator.global.uniform(count: rows * width, low: -1, high: 1))
let a = try optimised.run(output, feed: [x: batch]).scalars
let c = try unoptimised.run(output, feed: [x: batch]).scalars
let difference = zip(a, c).map { abs($0 - $1) / Swift.max(1, abs($1)) }.max()!
print("largest relative difference between the two: \(difference)")

print("\n== 4. Faster? ==")
// Runs alternate between the two sessions so that noise from other programs hits both alike.
var fastTimes: [Double] = [], slowTimes: [Double] = []
let repeats = quick ? 5 : 100
for _ in 0..<repeats {
    for (session, isOptimised) in [(optimised, true), (unoptimised, false)] {
        let start = Date()
        try session.run(output, feed: [x: batch])
        let ms = Date().timeIntervalSince(start) * 1000
        if isOptimised { fastTimes.append(ms) } else { slowTimes.append(ms) }
    }
}
let fast = fastTimes.sorted()[repeats / 2], slow = slowTimes.sorted()[repeats / 2]
print(String(format: "unoptimised %.3f ms, optimised %.3f ms per run (median of %d): %.2fx", slow, fast, repeats, slow / fast))
