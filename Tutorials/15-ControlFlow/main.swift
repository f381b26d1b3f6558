// Tutorial 15: control flow in a graph. `cond`, `whileLoop`, gradients through them, and the picture.
//
// Eager code branches and loops with Swift itself: `if x.sum().item() > 0` and `for _ in 0..<n`
// run on values, and the tape records whatever ran. A graph is built ONCE, before any value
// exists, so a branch or a loop whose trip count depends on data must itself be part of the graph:
// - `g.cond(p, then: { ... }, else: { ... })` holds both branches and, when it runs, computes only
//   the one the predicate selects;
// - `g.whileLoop(condition:body:loopVariables:)` holds a condition and a body and repeats the body
//   as many times as the condition says, a number that can come from a fed value.
// Each closure runs once, now, to build a sub-graph; the session compiles each sub-graph into a
// program of its own. Their gradients are built the way TensorFlow builds them: a cond's gradient
// is a cond on the same predicate, a loop's gradient is a second loop that runs the iterations
// backwards, replaying values the forward loop recorded.
//
// Run: swift run -c release tutorial-15-control-flow      (add --quick for a shorter run)
// Exercises (see README.md): --n N, --max-iterations M, --scale S.
import Foundation
import TandemCompare
import TandemEager
import TandemGraph

/// The value after a command-line flag (`--n 5`), or nil.
func flag(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
let trips = Int(flag("--n") ?? "") ?? 4
let cap = flag("--max-iterations").flatMap { Int($0) }
let scale = Float(flag("--scale") ?? "") ?? 1
let svgPath = flag("--svg") ?? "control-flow-loop.svg"
let xValues: [Float] = [1, 2, 3].map { $0 * scale }
let aValue: Float = 1.5
func show(_ values: [Float]) -> String { "[" + values.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }

print("== 1. cond: only the selected branch runs ==")
let g1 = Graph()
let x1 = g1.placeholder(shape: [3], name: "x")
let positive = x1.sum().greater(g1.constant(NDArray(0)))  // a rank-0 node: 1 or 0, known only at run time
let y = g1.cond(
    positive,
    then: { [g1.print(x1 * x1, message: "   (the then branch ran) x*x = ")] },
    else: { [g1.print(x1 * 3 + 1, message: "   (the else branch ran) 3x+1 = ")] })[0]
let dydx = g1.gradients(of: y.sum(), with: [x1])[0]
// A branch whose op would fail does no harm when it is not selected: it never runs.
let anyLength = g1.placeholder(shape: [nil], name: "v")
let safe = g1.cond(anyLength.sum().greater(g1.constant(NDArray(100))),
                   then: { [anyLength.reshape([2, 2]).sum(dim: 1)] },  // only fits 4 elements
                   else: { [anyLength * 2] })[0]

let session1 = Session(graph: g1)
let feedX = NDArray(shape: [3], scalars: xValues)
let condOut = try session1.run([positive, y, dydx], feed: [x1: feedX])
let tookThen = condOut[0].scalar != 0
print("x = \(show(xValues)), sum(x) > 0 is \(tookThen): the \(tookThen ? "then" : "else") branch ran")
print("y = \(show(condOut[1].scalars))")
print("dy/dx = \(show(condOut[2].scalars))  (the gradient of the branch that ran: \(tookThen ? "2x" : "3"))")

let five = NDArray(shape: [5], scalars: [1, 2, 3, 4, 5])
print("a reshape that cannot fit 5 values sits in the branch not taken: result \(show(try session1.run(safe, feed: [anyLength: five]).scalars))")

print("\n== 2. whileLoop: x * a^n, n fed at run time ==")
let g = Graph()
let x = g.placeholder(shape: [3], name: "x")
let a = g.placeholder(shape: [], name: "a")
let n = g.placeholder(shape: [], name: "n")
let loop = g.whileLoop(
    condition: { v in v[0].less(n) },                       // go on while i < n
    body: { v in [v[0] + 1, v[1] * a] },                    // i + 1, x * a
    loopVariables: [g.constant(NDArray(0)), x],             // start from i = 0, x
    maximumIterations: cap)
let grads = g.gradients(of: loop[1].sum(), with: [x, a])
let session = Session(graph: g)
let loopFeed: [Node: NDArray] = [x: feedX, a: NDArray(aValue), n: NDArray(Float(trips))]
let loopOut = try session.run([loop[0], loop[1], grads[0], grads[1]], feed: loopFeed)
let ran = Int(loopOut[0].scalar)
print("n = \(trips)\(cap.map { ", maximumIterations = \($0)" } ?? ""): the loop ran \(ran) iterations")
print("x * a^\(ran) = \(show(loopOut[1].scalars))")
print("d/dx sum = \(show(loopOut[2].scalars))  (closed form a^\(ran) = \(String(format: "%.4f", pow(aValue, Float(ran)))))")
let closedDa = Float(ran) * pow(aValue, Float(max(ran - 1, 0))) * xValues.reduce(0, +)
print("d/da sum = \(String(format: "%.4f", loopOut[3].scalar))  (closed form n a^(n-1) sum(x) = \(String(format: "%.4f", ran == 0 ? 0 : closedDa)))")
for other in (quick ? [0, 7] : [0, 1, 2, 7, 20]) {
    let r = try session.run(loop[0], feed: [x: feedX, a: NDArray(aValue), n: NDArray(Float(other))])
    print("   the same graph fed n = \(other) runs \(Int(r.scalar)) iterations")
}

print("\n== 3. The same program in eager Swift ==")
let xe = Tensor(feedX, requiresGrad: true), ae = Tensor(NDArray(aValue), requiresGrad: true)
var h = xe
for _ in 0..<ran { h = h * ae }                             // an ordinary Swift loop
h.sum().backward()
let ye = xe.sum().item() > 0 ? xe * xe : xe * 3 + 1         // an ordinary Swift if
let largest = zip(loopOut[1].scalars + loopOut[2].scalars + [loopOut[3].scalar], h.scalars + xe.grad!.scalars + ae.grad!.scalars)
    .map { abs($0 - $1) }.max()!
print("eager x * a^\(ran) = \(show(h.scalars)), d/da = \(String(format: "%.4f", ae.grad!.item()))")
print("largest difference between graph and eager: \(largest)")
print("eager picks its branch with item(): y = \(show(ye.scalars))")

print("\n== 4. Under the hood: sub-graphs, captures, replayed values ==")
for sub in g.subGraphs {
    let captured = sub.captures.map(\.name).joined(separator: ", ")
    let replayed = sub.saved.map(\.name).joined(separator: ", ")
    print("   \(sub.role.rawValue) of '\(sub.owner?.name ?? "?")': \(sub.nodes.count) nodes, \(sub.arguments.count) arguments"
          + (captured.isEmpty ? "" : ", captures [\(captured)]") + (replayed.isEmpty ? "" : ", replays [\(replayed)] from the forward run"))
}
let backward = g.subGraphs.first { $0.role == .gradient && $0.forward?.role == .body }!
print("the backward loop replays \(backward.saved.count) value(s) per forward iteration: \(ran) iteration(s) x [3] floats recorded")

print("\n== 5. The picture: the loop as a frame (DOT, and SVG via TandemCompare's layout) ==")
let dot = try g.dot(fetches: [loop[1], grads[1]])
if !quick { print(dot) }
let picture = GraphPicture(dot: dot)
let svg = GraphLayout.standaloneSVG(picture, title: "x * a^n as a whileLoop, with its gradient loop")
try svg.write(to: URL(fileURLWithPath: svgPath), atomically: true, encoding: .utf8)
print("DOT: \(dot.split(separator: "\n").count) lines, \(picture.clusters.count) frames (\(picture.clusters.map(\.label).joined(separator: " | ")))")
print("wrote \(svgPath) (\(picture.nodes.count) boxes)")

print("\n== 6. Mistakes the graph catches, with your line ==")
let g3 = Graph()
let x3 = g3.placeholder(shape: [3], name: "x")
// Reading a node's value to decide in Swift: the graph has no value yet.
do {
    try checked { if x3.sum().item() > 0 { _ = x3 * 2 } }  // <- the node read while building
} catch {
    print("error: \(error)")
}
// A loop variable whose shape changes: [1, 3] becomes [1, 2] after one iteration.
do {
    let w = g3.variable(NDArray(zeros: [3, 2]), name: "w")
    let row = g3.placeholder(shape: [1, 3], name: "row")
    try checked {
        _ = g3.whileLoop(condition: { v in v[0].less(g3.constant(NDArray(3))) },
                         body: { v in [v[0] + 1, v[1].matmul(w)] },  // <- the loop whose variable changes shape
                         loopVariables: [g3.constant(NDArray(0)), row])
    }
} catch {
    print("error: \(error)")
}
