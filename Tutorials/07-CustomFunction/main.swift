// Tutorial 07: writing your own autograd function.
//
// Autograd knows the gradient of every built-in op. When you need an op it does not know, or want
// a cheaper or more stable backward than the one autograd would derive, you write a Function: a
// forward that computes the result and may SAVE values for later, and a backward that receives the
// gradient of the loss with respect to the output and returns the gradient with respect to each input.
//
// Our example is exp. Its derivative is exp itself, so forward saves its RESULT and backward just
// multiplies the incoming gradient by it: no second exp is computed.
//
// Section 5 lets gradcheck do the check of section 3 for every entry, and catch a buggy backward.
//
// Run: swift run -c release tutorial-07-custom-function      (add --quick for a shorter run)
import Foundation
import TandemEager

/// The value of `--name=value` on the command line (the README's exercises change these), or `fallback`.
func option(_ name: String, _ fallback: Float) -> Float {
    CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--\(name)=") ? Float($0.dropFirst(name.count + 3)) : nil }.first ?? fallback
}

/// exp(x), with a hand-written backward that reuses the forward's result.
struct Exp: Function {
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        let result = inputs[0].exp()
        context.saveForBackward(result)  // keep what backward will need
        return result
    }

    static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
        let result = context.savedTensors[0]
        return [gradOutput * result]  // d exp(x)/dx = exp(x)
    }
}

print("== 1. Use it like any op ==")
let x = Tensor(shape: [3], scalars: [0, 1, 2], requiresGrad: true)
let y = Exp.apply(x)
print("Exp(x)   =", y.scalars)
print("expected =", [0, 1, 2].map { Foundation.exp(Float($0)) })
print("y was made by:", y.gradFn ?? "nothing (a leaf)", "<- the tape entry backward() will call")

print("\n== 2. Its backward ==")
y.sum().backward()  // d sum(exp(x)) / dx = exp(x)
print("x.grad   =", x.grad!.scalars, "(should equal exp(x))")

print("\n== 3. Check the backward with a finite difference ==")
// A hand-written backward is a place for bugs; compare with (f(x + h) - f(x - h)) / 2h.
// The central difference is off by about h^2/6 times the third derivative (Taylor's theorem),
// here h^2/6 * exp(x); the README's exercise makes h ten times larger.
let h = option("h", 1e-2)  // small, but not so small that float32 rounding dominates
for i in 0..<3 {
    var plus = x.scalars, minus = x.scalars
    plus[i] += h
    minus[i] -= h
    let fPlus = Exp.apply(Tensor(shape: [3], scalars: plus)).sum().item()
    let fMinus = Exp.apply(Tensor(shape: [3], scalars: minus)).sum().item()
    let numeric = (fPlus - fMinus) / (2 * h)
    print(String(format: "x[%d]: analytic %.4f, numeric %.4f, difference %.5f (h^2/6 exp(x) = %.5f)",
        i, x.grad!.scalars[i], numeric, numeric - x.grad!.scalars[i], h * h / 6 * Foundation.exp(x.scalars[i])))
}

print("\n== 4. It composes with the built-in ops ==")
// The tape mixes built-in ops and custom functions freely: loss = mean(Exp(2 * x + 1)).
let z = Tensor(shape: [2], scalars: [0.5, -0.5], requiresGrad: true)
let loss = Exp.apply(z * 2 + 1).mean()
loss.backward()
// By hand: d/dz mean(exp(2z + 1)) = exp(2z + 1) * 2 / 2 = exp(2z + 1).
print("z.grad   =", z.grad!.scalars)
print("by hand  =", z.scalars.map { Foundation.exp(2 * $0 + 1) })

print("\n== 5. gradcheck: every entry of the Jacobian, in one call ==")
// torch.autograd.gradcheck: perturbs each input element by ±eps, differentiates each output
// element with a backward pass, and compares the two. It passes our Exp...
let point = Tensor(shape: [3], scalars: [0.1, 0.5, 0.9], requiresGrad: true)
print("Exp:      ", try gradcheck({ Exp.apply($0[0]) }, inputs: [point]))

/// exp(x) with a classic bug: backward uses the saved INPUT where it needs the output.
struct BuggyExp: Function {
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        context.saveForBackward(inputs[0])
        return inputs[0].exp()
    }

    static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
        [gradOutput * context.savedTensors[0]]  // wrong: x instead of exp(x)
    }
}

// ...and flags the buggy one, naming the entry where the two disagree most.
let verdict = try gradcheck({ BuggyExp.apply($0[0]) }, inputs: [point])
print("BuggyExp: ", verdict)
print("passed:", verdict.passed)
