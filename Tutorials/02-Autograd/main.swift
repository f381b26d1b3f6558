// Tutorial 02: autograd on the eager tape.
//
// Training a network means nudging its numbers so a loss gets smaller, and for that we need the
// gradient: how much the loss changes when each number changes. Autograd computes it for us.
// In eager mode every op runs immediately and, when an input "requires grad", is also written on
// a tape; `backward()` reads the tape in reverse and fills in `.grad`.
//
// Run: swift run -c release tutorial-02-autograd      (add --quick for a shorter run)
import Foundation
import TandemEager

print("== 1. y = x squared at x = 1 ==")
let x = Tensor(shape: [], scalars: [1], requiresGrad: true)  // shape [] = a single number
let y = x * x
print("y =", y.item())
y.backward()  // dy/dx = 2x, which is 2 at x = 1
print("dy/dx =", x.grad!.item())

print("\n== 2. Check it by hand: a finite difference ==")
// Nudge x a little and watch y move: (f(x + h) - f(x - h)) / 2h approximates the slope.
let h: Float = 1e-2
let slope = ((1 + h) * (1 + h) - (1 - h) * (1 - h)) / (2 * h)
print("finite difference:", slope)

print("\n== 3. Gradients accumulate ==")
// Like PyTorch, backward ADDS into .grad. Calling it again without resetting doubles the result;
// that is why training loops call zeroGrad() every step (and tutorial 12 uses it on purpose).
(x * x).backward()
print("after a second backward, x.grad =", x.grad!.item())

print("\n== 4. A vector: y = sum(x * x) ==")
let xs = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
let total = (xs * xs).sum()
total.backward()
print("x.grad =", xs.grad!.scalars, "(2x, one number per element of x)")

print("\n== 5. A small network ==")
// Learn XOR: 4 points, 2 inputs, 1 output. A straight line cannot do it; one hidden layer can.
manualSeed(0)
let inputs = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
let targets = Tensor(shape: [4, 1], scalars: [0, 1, 1, 0])
let model = Sequential {
    Linear(2, 8)
    ReLU()
    Linear(8, 1)
}
print("parameters:", model.parameters.map(\.shape))
let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)

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
