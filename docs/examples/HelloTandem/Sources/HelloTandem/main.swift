// Hello, Tandem: one gradient, computed eagerly (PyTorch-style).
import TandemEager

let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
let y = (x * x).sum()        // y = sum of x squared
y.backward()                 // dy/dx = 2x

print("y =", y.item())               // 91.0
print("dy/dx =", x.grad!.scalars)    // [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
