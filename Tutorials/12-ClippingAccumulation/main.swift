// Tutorial 12: gradient clipping and gradient accumulation.
//
// Two everyday training tricks, both built on one fact from tutorial 02: gradients ADD UP in
// `.grad` until you call zeroGrad().
// - Clipping: one bad batch can produce a huge gradient that throws the weights far away.
//   clipGradNorm scales all gradients down together when their combined length exceeds a limit.
// - Accumulation: when a big batch does not fit in memory, run several small batches, let their
//   gradients add up, and take one optimizer step, as if the batch had been big.
//
// Run: swift run -c release tutorial-12-clipping-accumulation      (add --quick for a shorter run)
import Foundation
import TandemEager

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

/// Rows `range` of a [rows, columns] tensor, as a new tensor (a micro-batch).
func rows(_ t: Tensor, _ range: Range<Int>) -> Tensor {
    let width = t.shape[1]
    return Tensor(shape: [range.count, width], scalars: Array(t.scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
}

/// The combined length (L2 norm) of every gradient, computed by hand to check the library.
func gradientNorm(_ parameters: [Tensor]) -> Float {
    parameters.map { p in p.grad.map { ($0 * $0).sum().item() } ?? 0 }.reduce(0, +).squareRoot()
}

/// The value of `--name=value` on the command line (the exercises change these), or `fallback`.
func option(_ name: String, _ fallback: Float) -> Float {
    CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--\(name)=") ? Float($0.dropFirst(name.count + 3)) : nil }.first ?? fallback
}
let maxNorm = option("max-norm", 1)

// A small regression problem: 8 inputs with 4 features, a linear target plus noise.
manualSeed(0)
let batch = 8
let x = Tensor(NDArray(shape: [batch, 4], scalars: Generator.global.normal(count: batch * 4)))
let trueWeights = Tensor(shape: [4, 1], scalars: [1, -2, 3, -4])
let y = x.matmul(trueWeights)
let model = Sequential {
    Linear(4, 16)
    ReLU()
    Linear(16, 1)
}

print("== 1. Clipping ==")
// A batch with one wildly wrong target (an outlier) makes a huge gradient.
var corrupted = y.scalars
corrupted[0] = 1000
let badTargets = Tensor(shape: [batch, 1], scalars: corrupted)
mseLoss(model(x), badTargets).backward()
let before = gradientNorm(model.parameters)
let unclipped = model.parameters.flatMap { $0.grad!.scalars }  // a copy, to compare entry by entry
let returned = clipGradNorm(model.parameters, maxNorm: maxNorm)  // returns the norm BEFORE clipping
let after = gradientNorm(model.parameters)
let clipped = model.parameters.flatMap { $0.grad!.scalars }
print(String(format: "gradient norm before clipping: %.3f (clipGradNorm returned %.3f)", before, returned))
print(String(format: "gradient norm after clipping:  %.3f (maxNorm was %.1f)", after, maxNorm))
// The direction is unchanged when EVERY entry was scaled by the same factor maxNorm / norm (or
// left alone, factor 1, when the norm is already within the limit). Check it entry by entry
// (entries that are exactly zero stay zero and say nothing).
let factor = min(1, maxNorm / before)
let worst = zip(unclipped, clipped).filter { $0.0 != 0 }.map { abs($0.1 / $0.0 - factor) / factor }.max() ?? 0
print(String(format: "every entry was multiplied by min(1, maxNorm / norm) = %.5f; largest relative deviation of an entry's factor: %.1e", factor, worst))

print("\n== 2. Accumulation gives the full-batch gradient ==")
// Full batch: one backward over all 8 samples.
for p in model.parameters { p.grad = nil }
mseLoss(model(x), y).backward()
let fullBatch = model.parameters.map { $0.grad!.scalars }

// Four micro-batches of 2 (--micro=N changes it): each loss is divided by 4 so the SUM of the four gradients equals the
// gradient of the mean over all 8 (mseLoss averages over its own batch).
for p in model.parameters { p.grad = nil }
let micro = Int(option("micro", 2)), chunks = batch / micro
guard micro > 0 && batch % micro == 0 else {
    print("error: --micro must divide the batch of \(batch) (1, 2, 4 or 8), got \(micro)")
    exit(1)
}
for c in 0..<chunks {
    let part = (c * micro)..<((c + 1) * micro)
    (mseLoss(model(rows(x, part)), rows(y, part)) / Float(chunks)).backward()  // adds into .grad
}
let accumulated = model.parameters.map { $0.grad!.scalars }
let difference = zip(fullBatch, accumulated).flatMap { zip($0, $1).map { abs($0 - $1) } }.max()!
let largest = fullBatch.joined().map(abs).max()!
print("max |full-batch gradient - accumulated gradient| =", difference)
// Float32 keeps 24 significant bits: the gap between neighbouring floats ("one ulp") near a value v
// is v.ulp, 2^-23 at 1. Two ways of adding the same numbers may differ by a few ulps of the result.
print(String(format: "largest gradient entry %.4f, whose ulp is %.3g: the difference is %.1f ulps", largest, largest.ulp, difference / largest.ulp))

print("\n== 3. Training with both ==")
// Fresh model; an update every `chunks` micro-batches, clipped to norm 5.
manualSeed(1)
let net = Sequential {
    Linear(4, 16)
    ReLU()
    Linear(16, 1)
}
// `accumulating: true` tells the optimizer the summed gradients are on purpose; without it, Tandem
// warns that zeroGrad() seems to be missing (the classic bug this trick looks like).
let optimizer = SGD(net.parameters, lr: 0.05, momentum: 0.9, accumulating: true)
let steps = quick ? 20 : 200
for step in 0...steps {
    optimizer.zeroGrad()
    for c in 0..<chunks {
        let part = (c * micro)..<((c + 1) * micro)
        (mseLoss(net(rows(x, part)), rows(y, part)) / Float(chunks)).backward()
    }
    let norm = clipGradNorm(net.parameters, maxNorm: 5)
    optimizer.step()
    if step % (steps / 4) == 0 {
        let loss = noGrad { mseLoss(net(x), y) }.item()
        print(String(format: "step %3d  full-batch loss %.4f  gradient norm %.3f", step, loss, norm))
    }
}

print("\n== 4. The safety net: forgetting zeroGrad() ==")
// The same summed gradients arise when someone FORGETS zeroGrad(). An optimizer created without
// `accumulating: true` warns (once per process) when it steps on gradients summed over several
// backward() calls. Here we make the mistake on purpose and print the warning.
Diagnostics.sink = { print("Tandem warning:", $0) }
let careless = SGD(net.parameters, lr: 0.01)
careless.zeroGrad()
for _ in 0..<2 { mseLoss(net(x), y).backward() }  // two backwards, no zeroGrad() between them
careless.step()
print("warnings so far:", Diagnostics.warnings.count)
