// Tutorial 03: the same computation as a graph and a session.
//
// In tutorial 02 every line computed a number at once. In graph mode (TensorFlow 1.x style) a line
// only DESCRIBES a computation: it adds a node to a graph. Nothing is computed until a Session
// runs the graph, and you say then which nodes you want (the "fetches") and what values the
// inputs take (the "feed").
//
// Run: swift run -c release tutorial-03-graph-session      (add --quick for a shorter run)
import Foundation
import TandemGraph

/// The value of `--name=value` on the command line (the README's exercises change these), or `fallback`.
func option(_ name: String, _ fallback: Float) -> Float {
    CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--\(name)=") ? Float($0.dropFirst(name.count + 3)) : nil }.first ?? fallback
}

print("== 1. y = x squared, as a graph ==")
let g = Graph()
let x = g.placeholder(shape: [], name: "x")  // an input, given a value only at run time
let y = x * x  // a node: no number yet
let dydx = g.gradients(of: y, with: [x])[0]  // the gradient is just more nodes
print("y is a node named '\(y.name)' with static shape \(formatShape(y.shape)); nothing has been computed yet")

let session = Session(graph: g)
let out = try session.run([y, dydx], feed: [x: NDArray(1)])
print("fetched y =", out[0].scalar, " dy/dx =", out[1].scalar)
// The same graph runs again with another feed: no rebuilding.
let atThree = try session.run([y, dydx], feed: [x: NDArray(3)])
print("at x = 3: y =", atThree[0].scalar, " dy/dx =", atThree[1].scalar)

print("\n== 2. Unknown batch size ==")
// `nil` in a placeholder's shape means "any size": one graph serves batches of any length.
let g2 = Graph()
let xs = g2.placeholder(shape: [nil, 3], name: "x")  // <- the line the missing-feed error names
let w = g2.variable(NDArray(shape: [3, 1], scalars: [1, 2, 3]), name: "w")  // a value the graph keeps
let scores = xs.matmul(w)
let loss = scores.sum()
let grads = g2.gradients(of: loss, with: [w])
print("scores has static shape", formatShape(scores.shape), "(? = known only at run time)")

let s2 = Session(graph: g2)
try s2.run(g2.initializeVariables())  // variables get their initial values
let batch = NDArray(shape: [2, 3], scalars: [1, 1, 1, 2, 2, 2])
let fetched = try s2.run([scores, loss, grads[0]], feed: [xs: batch])
print("feed x =", batch)
print("fetched scores =", fetched[0].scalars, " loss =", fetched[1].scalars, " dloss/dw =", fetched[2].scalars)
let bigger = try s2.run(scores, feed: [xs: NDArray(ones: [5, 3])])
print("a batch of 5 gives scores of shape", bigger.shape)

print("\n== 3. Forgetting a feed is an error at run time ==")
do {
    try s2.run(loss)
} catch {
    print("error:", error)
}

print("\n== 4. Training: a train op updates variables when it runs ==")
// Fit y = 2x + 1 from four points. minimize(loss) returns a node that, when run, applies one
// gradient-descent step to every variable the loss depends on.
let g3 = Graph()
let input = g3.placeholder(shape: [nil, 1], name: "input")
let target = g3.placeholder(shape: [nil, 1], name: "target")
let weight = g3.variable(NDArray(shape: [1, 1], scalars: [0]), name: "weight")
let bias = g3.variable(NDArray(shape: [1], scalars: [0]), name: "bias")
let prediction = input.matmul(weight) + bias
let mse = mseLoss(prediction, target)
// The learning rate is the step size of gradient descent (tutorial 02). On this problem any rate
// above 2 / 8.4 = 0.238 diverges: 8.4 is the largest curvature of the loss (the largest eigenvalue
// of its Hessian, 2/n X^T X with a column of ones for the bias), and a step longer than 2/curvature
// overshoots the valley by more than it started out. The README's exercise tries it.
let train = GradientDescentOptimizer(learningRate: option("lr", 0.05)).minimize(mse)

let s3 = Session(graph: g3)
try s3.run(g3.initializeVariables())
let feed: [Node: NDArray] = [
    input: NDArray(shape: [4, 1], scalars: [0, 1, 2, 3]),
    target: NDArray(shape: [4, 1], scalars: [1, 3, 5, 7]),
]
let steps = 100  // a tiny problem: fast even in quick mode, so --quick changes nothing here
for step in 0...steps {
    let values = try s3.run([mse, train], feed: feed)  // fetch the loss AND run the update
    if step % 20 == 0 { print(String(format: "step %3d  loss %.5f", step, values[0].scalar)) }
}
let learned = try s3.run([weight, bias])
print(String(format: "learned weight %.3f, bias %.3f (true: 2, 1)", learned[0].scalar, learned[1].scalar))
