// Tutorial 08: debugging. The same two bugs in both frontends, and what each one tells you.
//
// Bug 1: a weight of the wrong shape. Bug 2: log of a negative number, which makes NaN ("not a
// number") that silently spreads into the loss. Eager code fails at the line that runs; graph code
// fails at the line that BUILDS the node (before any data exists) or at Session.run, and the graph
// names the node and the line that created it, so both point you at your own code.
//
// Run: swift run -c release tutorial-08-debugging      (add --quick for a shorter run)
import Foundation
import TandemEager
import TandemGraph

// The README's exercise: `--fix` gives the second layer the weight shape it needs, [3, 5].
let fixed = CommandLine.arguments.contains("--fix")
manualSeed(0)
let batch = NDArray(shape: [4, 6], scalars: Generator.global.normal(count: 24))
let w1 = Initializer.kaimingUniform([5, 6]), b1 = NDArray(zeros: [5])
let w2Wrong = Initializer.kaimingUniform([3, fixed ? 5 : 4])  // BUG: the first layer makes 5 features, not 4
let b2 = NDArray(zeros: [3])

print("== Bug 1, eager: a shape mismatch ==")
do {
    let out = try checked {
        let x = Tensor(batch)
        let h = linear(x, weight: Tensor(w1), bias: Tensor(b1)).relu()
        print("  the first layer ran: h has shape", h.shape)  // eager: we can print anything, any time
        let out = linear(h, weight: Tensor(w2Wrong), bias: Tensor(b2))  // <- the failing line
        // NOTE: inside `checked`, later ops see an empty stand-in value and skip their work; the
        // FIRST error is thrown when the block ends, so it always names the real culprit.
        return out
    }
    print("  no error: the output has shape", out.shape)
} catch {
    print("eager error:", error)
}

print("\n== Bug 1, graph: the same mismatch, found while BUILDING ==")
do {
    let out = try checked {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 6], name: "x")
        let h = linear(x, weight: g.constant(w1), bias: g.constant(b1)).relu()
        print("  h is a node with static shape", formatShape(h.shape), "(no data has been fed yet)")
        return linear(h, weight: g.constant(w2Wrong), bias: g.constant(b2))  // <- the failing line
    }
    print("  no error: the output node has static shape", formatShape(out.shape))
} catch {
    print("graph error:", error)
}

print("\n== Bug 2: NaN from log of a negative ==")
// A "log-likelihood" written carelessly: log(h) where h can be negative.
let x = Tensor(batch)
let silent = linear(x, weight: Tensor(w1), bias: Tensor(b1)).log().mean()
print("eager, no checks: loss =", silent.item(), "<- no error, just a useless number")
// Its gradients, though, are all finite: log's backward is grad / h, finite wherever h != 0.
// A check of backward results alone (PyTorch's detect_anomaly) sees nothing wrong.
let probedWeight = Tensor(w1, requiresGrad: true)
linear(x, weight: probedWeight, bias: Tensor(b1)).log().mean().backward()
print("its weight gradients are all finite:", probedWeight.grad!.scalars.allSatisfy(\.isFinite))

// Tandem's anomaly mode checks every op's result in the forward pass AND every gradient in
// backward. (PyTorch's detect_anomaly checks only backward: it would not stop at this forward
// NaN. JAX's jax_debug_nans checks forward results, as this does.)
print("\neager with anomaly detection: stops at the first op that makes NaN, forward or backward")
do {
    try detectAnomalyChecked {
        let h = linear(x, weight: Tensor(w1), bias: Tensor(b1))
        let logH = h.log()  // <- the failing line
        logH.mean().backward()
    }
} catch {
    print("eager error:", error)
}

print("\ngraph with checkNumerics: the session checks every node's output")
let g = Graph()
let input = g.placeholder(shape: [nil, 6], name: "input")
let hidden = linear(input, weight: g.constant(w1), bias: g.constant(b1))
let logHidden = hidden.log()  // <- the line the graph error points at
let loss = logHidden.mean()
let plain = Session(graph: g)
print("graph, no checks: loss =", try plain.run(loss, feed: [input: batch]).scalar)
let checking = Session(graph: g, options: Session.Options(checkNumerics: true))
do {
    try checking.run(loss, feed: [input: batch])
} catch {
    print("graph error:", error)
}

print("\n== Looking at an intermediate ==")
// Eager: print it. Graph: fetch it alongside the loss (it is computed anyway).
print("eager: h[0] =", linear(x, weight: Tensor(w1), bias: Tensor(b1)).array.scalars.prefix(5).map { String(format: "%.3f", $0) })
let fetched = try plain.run([hidden, loss], feed: [input: batch])
print("graph: h[0] =", fetched[0].scalars.prefix(5).map { String(format: "%.3f", $0) })
