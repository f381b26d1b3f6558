// Tutorial 01: tensors and broadcasting.
//
// A tensor is a box of numbers with a shape. Everything in deep learning (images, weights,
// predictions) is one. This program makes a few, combines them, and shows the broadcasting rule
// that lets a [2, 3] tensor and a [3] tensor be added together.
//
// Run: swift run -c release tutorial-01-tensors      (add --quick for a shorter run)
import Foundation
import TandemEager

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"

print("== 1. Making tensors ==")
// Values are given row by row ("row-major"): [[1, 2, 3], [4, 5, 6]].
let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
print("a =", a.array)
print("a.shape =", a.shape, " a.scalars =", a.scalars)
let zeros = Tensor(NDArray(zeros: [2, 2]))
print("zeros =", zeros.array)

print("\n== 2. Elementwise arithmetic ==")
// Same-shaped tensors combine element by element, like NumPy arrays.
let b = Tensor(shape: [2, 3], scalars: [10, 20, 30, 40, 50, 60])
print("a + b =", (a + b).array)
print("a * 2 =", (a * 2).array)  // a Float on either side works too
print("(a - 3).relu() =", (a - 3).relu().scalars)

print("\n== 3. Broadcasting ==")
// Shapes are compared from the right. A dimension of size 1 (or a missing one) is stretched to
// match the other side, without copying any data. So [2, 3] + [3] adds the row to every row.
let row = Tensor(shape: [3], scalars: [100, 200, 300])
print("[2, 3] + [3]    ->", (a + row).shape, (a + row).scalars)
let column = Tensor(shape: [2, 1], scalars: [1000, 2000])
print("[2, 3] + [2, 1] ->", (a + column).shape, (a + column).scalars)
// Two stretched sides at once: an outer product by broadcasting.
let u = Tensor(shape: [3, 1], scalars: [1, 2, 3])
let v = Tensor(shape: [1, 4], scalars: [1, 10, 100, 1000])
print("[3, 1] * [1, 4] ->", (u * v).shape)
print((u * v).array)

print("\n== 4. When shapes do not fit ==")
// [2, 3] and [2] cannot broadcast: from the right, 3 meets 2 and neither is 1.
// Outside `checked { }` this error would stop the program (like an uncaught Python exception);
// inside, it is thrown, so we can print it. Note that it names the op, the shapes and this line.
do {
    _ = try checked { a.adding(Tensor(shape: [2], scalars: [1, 2])) }
} catch {
    print("error:", error)
}

print("\n== 5. Reductions and shapes ==")
print("a.sum() =", a.sum().item())
print("a.sum(dim: 0) =", a.sum(dim: 0).scalars, "shape", a.sum(dim: 0).shape)
print("a.sum(dim: 1, keepDim: true) shape", a.sum(dim: 1, keepDim: true).shape)
print("a.mean() =", a.mean().item(), " a.max(dim: 1) =", a.max(dim: 1).scalars)
print("a.reshape([3, -1]).shape =", a.reshape([3, -1]).shape, " (-1 is inferred)")
print("a.transpose(0, 1).shape =", a.transpose(0, 1).shape)
// Matrix product: [2, 3] x [3, 2] -> [2, 2]; the inner dimensions must agree.
let product = a.matmul(a.transpose(0, 1))
print("a.matmul(a^T) =", product.array)

print("\n== 6. NDArray is a value ==")
// Underneath a Tensor is an NDArray: a Swift struct. Copies share memory until one is written.
var p = NDArray(shape: [2, 2], scalars: [1, 2, 3, 4])
let q = p
p[0, 0] = 99
print("p =", p.scalars, " q (the earlier copy) =", q.scalars)

print("\n== 7. How fast is a matrix product? ==")
// Big matmuls go to OpenBLAS. Time one to get a feel for the machine.
// The README's exercise: `--size=N` times an N x N product instead.
let size = CommandLine.arguments.lazy.compactMap { $0.hasPrefix("--size=") ? Int($0.dropFirst(7)) : nil }.first
let n = size ?? (quick ? 128 : 512)
let m1 = Tensor(NDArray(ones: [n, n])), m2 = Tensor(NDArray(ones: [n, n]))
_ = m1.matmul(m2)  // warm-up
let repeats = quick ? 3 : 20
let start = Date()
for _ in 0..<repeats { _ = m1.matmul(m2) }
let seconds = Date().timeIntervalSince(start) / Double(repeats)
let gflops = 2 * Double(n * n * n) / seconds / 1e9
print(String(format: "[%d, %d] x [%d, %d]: %.3f ms, %.1f GFLOP/s", n, n, n, n, seconds * 1000, gflops))
print("each entry of the result =", m1.matmul(m2).scalars[0], "(a sum of \(n) ones)")
