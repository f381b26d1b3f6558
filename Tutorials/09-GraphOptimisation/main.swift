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
import TandemCompare
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
// The README's exercise: `--once` writes the layer once, as a real model would.
let once = CommandLine.arguments.contains("--once")

let width = 64, rows = quick ? 256 : 16384
manualSeed(0)
let g = Graph()
let x = g.placeholder(shape: [nil, width], name: "x")
let w = g.variable(Initializer.kaimingUniform([width, width]), name: "w")
let b = g.variable(NDArray(zeros: [width]), name: "b")

let scale = g.constant(NDArray(2)) * g.constant(NDArray(3))  // foldable: no input involved
let h = (x.matmul(w) + b).relu()  // fusable: matmul + bias + relu in one kernel
// The same layer written twice ON PURPOSE, to show CSE: a real model rarely repeats a layer, so
// the time CSE saves here is a property of this example, not a typical gain.
let again = once ? h : (x.matmul(w) + b).relu()
let y = (((h + again) * scale * 1) - 0.5).relu().sqrt() + 0  // "* 1" and "+ 0" vanish; the chain: one pass
let output = y.sum(dim: 1) + y.sum(dim: 1)  // the same sum twice: computed once (CSE)

print("== 1. The graph as written ==")
let before = try g.dot(fetches: [output], optimized: false)
print(before)

print("== 2. The graph the session will run ==")
let after = try g.dot(fetches: [output], optimized: true)
print(after)

// The two graphs as pictures next to the output (TandemCompare lays out and draws the DOT).
for (name, dot) in [("before", before), ("after", after)] {
    let path = URL(fileURLWithPath: "tutorial-09-\(name).svg").path
    try GraphLayout.standaloneSVG(GraphPicture(dot: dot), title: "Tutorial 09: the graph \(name) optimisation")
        .write(toFile: path, atomically: true, encoding: .utf8)
    print("wrote the graph \(name) optimisation to \(path)")
}

// Three sessions on the same graph: every pass, none, and every pass but CSE (to tell CSE's share
// of the gain from the other passes').
let initialize = g.initializeVariables()
let optimised = Session(graph: g)
let unoptimised = Session(graph: g, options: Session.Options(optimizer: .none))
let withoutCSE = Session(graph: g, options: Session.Options(optimizer: .init(commonSubexpressionElimination: false)))
for session in [optimised, unoptimised, withoutCSE] { try session.run(initialize) }
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
// Runs alternate between the sessions so that noise from other programs hits all alike.
let sessions = [unoptimised, withoutCSE, optimised]
var times: [[Double]] = [[], [], []]
let repeats = quick ? 5 : 100
for _ in 0..<repeats {
    for (i, session) in sessions.enumerated() {
        let start = Date()
        try session.run(output, feed: [x: batch])
        times[i].append(Date().timeIntervalSince(start) * 1000)
    }
}
let medians = times.map { $0.sorted()[repeats / 2] }
let (slow, noCSE, fast) = (medians[0], medians[1], medians[2])
print(String(format: "unoptimised %.3f ms, every pass but CSE %.3f ms, optimised %.3f ms per run (median of %d): %.2fx",
    slow, noCSE, fast, repeats, slow / fast))
// Who gets the credit: the words below are chosen from the figures, never fixed in advance.
let saved = slow - fast, cseShare = saved > 0 ? (noCSE - fast) / saved : 0
let verdict = saved <= 0 ? "no faster here (timing noise swamped the difference)"
    : cseShare > 0.6 ? "most of it from CSE" : cseShare < 0.4 ? "most of it from the other passes (fusion, folding, simplification)"
    : "about half from CSE, half from the other passes"
print(String(format: "of the %.3f ms saved, CSE's share is %.0f%%: %@", saved, cseShare * 100, verdict))
