// Tutorial 02: autograd on the eager tape.
//
// Training a network means nudging its numbers so a loss gets smaller, and for that we need the
// gradient: how much the loss changes when each number changes. Autograd computes it for us.
// In eager mode every op runs immediately and, when an input "requires grad", is also written on
// a tape; `backward()` reads the tape in reverse and fills in `.grad`.
//
// Run: swift run -c release tutorial-02-autograd      (add --quick for a shorter run)
import Foundation
import TandemCompare
import TandemEager

/// The value of `--name=value` on the command line (the README's exercises change these), or `fallback`.
func option(_ name: String, _ fallback: Float) -> Float {
    CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--\(name)=") ? Float($0.dropFirst(name.count + 3)) : nil }.first ?? fallback
}

print("== 1. By hand: the chain rule on a one-neuron network ==")
// The network: prediction p = relu(w * x + b); the LOSS, one number that says how wrong p is,
// is the squared error L = (p - t)^2. Training wants dL/dw and dL/db: how L moves when w or b moves.
// The chain rule: follow the computation backwards, multiplying the local slopes.
let (hx, hw, hb, ht): (Float, Float, Float, Float) = (2, 0.5, option("b", 1), 3)  // --b=: an exercise
let hz = hw * hx + hb  // 0.5 * 2 + 1 = 2
let hp = max(hz, 0)  // relu(2) = 2
let hL = (hp - ht) * (hp - ht)  // (2 - 3)^2 = 1
let dLdp = 2 * (hp - ht)  // d(p - t)^2 / dp = 2(p - t) = -2
let dpdz: Float = hz > 0 ? 1 : 0  // relu passes the slope through where its input is positive
let dLdz = dLdp * dpdz  // -2
print("forward:  z = w*x + b = \(hz)   p = relu(z) = \(hp)   L = (p - t)^2 = \(hL)")
print("backward: dL/dp = 2(p - t) = \(dLdp)   dp/dz = \(dpdz)   dL/dz = \(dLdz)")
print("by hand:  dL/dw = dL/dz * x = \(dLdz * hx)   dL/db = dL/dz * 1 = \(dLdz)")

print("\n== 2. The same network on the tape ==")
let tx = Tensor(shape: [], scalars: [hx])  // data: no gradient wanted
let tw = Tensor(shape: [], scalars: [hw], requiresGrad: true)
let tb = Tensor(shape: [], scalars: [hb], requiresGrad: true)
let tp = (tw * tx + tb).relu()
let diff = tp - ht
let tL = diff * diff
// Every op above ran at once AND was written on the tape. Each entry is a backward step: its name,
// its output's shape, where its inputs came from, and what it kept for backward.
let tape = tL.recordedTape()
for (i, entry) in tape.enumerated() {
    let inputs = entry.inputs.map { input -> String in
        switch input {
        case .entry(let j): return "#\(j)"
        case .leaf(_, let requiresGrad): return requiresGrad ? "leaf(grad)" : "leaf"
        }
    }
    print("#\(i) \(entry.name)(\(inputs.joined(separator: ", "))) keeps: \(entry.saved.isEmpty ? "nothing" : entry.saved.joined(separator: ", "))")
}
// The picture: one box per leaf and per tape entry; backward walks it from the bottom box up.
var boxes: [GraphPicture.Node] = []
var entryBox: [Int] = []
for entry in tape {
    var inputBoxes: [Int] = []
    for input in entry.inputs {
        switch input {
        case .entry(let j): inputBoxes.append(entryBox[j])
        case .leaf(let shape, let requiresGrad):
            boxes.append(.init(lines: [requiresGrad ? "parameter" : "data", formatShape(shape)], inputs: [], kind: requiresGrad ? .variable : .input))
            inputBoxes.append(boxes.count - 1)
        }
    }
    boxes.append(.init(lines: [entry.name, "keeps: " + (entry.saved.isEmpty ? "nothing" : entry.saved.joined(separator: ", "))], inputs: inputBoxes, kind: .op))
    entryBox.append(boxes.count - 1)
}
let tapePath = URL(fileURLWithPath: "tutorial-02-tape.svg").path
try GraphLayout.standaloneSVG(GraphPicture(nodes: boxes), title: "The tape of L = (relu(w*x + b) - t)^2: backward runs bottom-up")
    .write(toFile: tapePath, atomically: true, encoding: .utf8)
print("wrote the tape's picture to \(tapePath)")
tL.backward()
print("autograd: dL/dw = \(tw.grad!.item())   dL/db = \(tb.grad!.item())   (the same as by hand)")

print("\n== 3. y = x squared at x = 1 ==")
let x = Tensor(shape: [], scalars: [1], requiresGrad: true)  // shape [] = a single number
let y = x * x
print("y =", y.item())
y.backward()  // dy/dx = 2x, which is 2 at x = 1
print("dy/dx =", x.grad!.item())

print("\n== 4. Check it by hand: a finite difference ==")
// Nudge x a little and watch y move: (f(x + h) - f(x - h)) / 2h approximates the slope.
let h: Float = 1e-2
let slope = ((1 + h) * (1 + h) - (1 - h) * (1 - h)) / (2 * h)
print("finite difference:", slope)

print("\n== 5. Gradients accumulate ==")
// Like PyTorch, backward ADDS into .grad. Calling it again without resetting doubles the result;
// that is why training loops call zeroGrad() every step (and tutorial 12 uses it on purpose).
(x * x).backward()
print("after a second backward, x.grad =", x.grad!.item())

print("\n== 6. A vector: y = sum(x * x) ==")
let xs = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
let total = (xs * xs).sum()
total.backward()
print("x.grad =", xs.grad!.scalars, "(2x, one number per element of x)")

print("\n== 7. A small network ==")
// Learn XOR: 4 points, 2 inputs, 1 output. A straight line cannot do it; one hidden layer can.
// manualSeed fixes the random initial weights. Each Linear draws them uniformly from
// +-1/sqrt(inputs) (PyTorch's default): random, so that the 8 hidden units start different and
// learn different things (equal weights would get equal gradients and stay equal forever).
manualSeed(0)
let inputs = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
let targets = Tensor(shape: [4, 1], scalars: [0, 1, 1, 0])
let model = Sequential {
    Linear(2, 8)
    ReLU()
    Linear(8, 1)
}
print("parameters:", model.parameters.map(\.shape))
// The loss here is the mean squared error between the 4 outputs and the 4 targets.
// SGD moves every parameter against its gradient: p -= lr * grad. The learning rate lr sets the
// step size: too small and training crawls, too large and it overshoots and diverges. With
// momentum 0.9 the step follows a running sum of past gradients (v = 0.9 v + grad; p -= lr v),
// which speeds up steady descent and damps zig-zags.
let learningRate = option("lr", 0.05), momentum = option("momentum", 0.9)
let optimizer = SGD(model.parameters, lr: learningRate, momentum: momentum)

// One step by hand, to see every gradient the tape produced.
let firstLoss = mseLoss(model(inputs), targets)
firstLoss.backward()
for (i, p) in model.parameters.enumerated() {
    print("parameter \(i): shape \(p.shape), gradient shape \(p.grad!.shape)")
}
optimizer.zeroGrad()

let steps = 100  // a tiny problem: fast even in quick mode, so --quick changes nothing here
for step in 0...steps {
    optimizer.zeroGrad()  // forget the previous step's gradients
    let loss = mseLoss(model(inputs), targets)  // forward: runs now, recorded on the tape
    loss.backward()  // backward: fills p.grad for every parameter
    optimizer.step()  // p -= lr * (momentum-smoothed) p.grad
    if step % 20 == 0 { print(String(format: "step %4d  loss %.5f", step, loss.item())) }
}
let predictions = noGrad { model(inputs) }  // no tape needed when we only look
print("predictions for (0,0) (0,1) (1,0) (1,1):", predictions.scalars.map { String(format: "%.2f", $0) })
