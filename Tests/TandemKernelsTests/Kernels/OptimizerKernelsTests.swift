import Foundation
import TandemKernels
import XCTest

/// SGD and Adam (`Kernels/OptimizerKernels.swift`) against a plain re-implementation of
/// torch.optim's documented algorithms, in Double, over several steps with changing gradients.
final class OptimizerKernelsTests: XCTestCase {
    private let steps = 5
    private let shape = [3, 5]

    private func gradient(_ step: Int) -> NDArray { randomArray(shape, seed: 100 + UInt64(step)) }

    /// torch.optim.SGD, from its documentation's pseudocode; `gradients[t]` (default: `gradient(t)`)
    /// is step t's gradient.
    private func referenceSGD(
        lr: Double, momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool, gradients: [[Double]]? = nil
    ) -> [Float] {
        var theta = naiveScalars(randomArray(shape, seed: 1)).map(Double.init)
        var buffer: [Double]? = nil
        for t in 0..<steps {
            var g = gradients?[t] ?? naiveScalars(gradient(t)).map(Double.init)
            for i in g.indices { g[i] += weightDecay * theta[i] }
            if momentum != 0 {
                if var b = buffer {
                    for i in b.indices { b[i] = momentum * b[i] + (1 - dampening) * g[i] }
                    buffer = b
                } else {
                    buffer = g
                }
                let b = buffer!
                for i in g.indices { g[i] = nesterov ? g[i] + momentum * b[i] : b[i] }
            }
            for i in theta.indices { theta[i] -= lr * g[i] }
        }
        return theta.map { Float($0) }
    }

    func testSGDVariants() {
        let variants: [(momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool)] = [
            (0, 0, 0, false), (0, 0, 0.1, false), (0.9, 0, 0, false), (0.9, 0, 0, true), (0.9, 0.3, 0, false), (0.8, 0, 0.05, true),
        ]
        for v in variants {
            var param = randomArray(shape, seed: 1)
            var buffer: NDArray? = nil
            for t in 0..<steps {
                OptimizerKernels.sgd(
                    param: &param, grad: gradient(t), momentumBuffer: &buffer, lr: 0.1, momentum: v.momentum,
                    dampening: v.dampening, weightDecay: v.weightDecay, nesterov: v.nesterov)
            }
            let expected = referenceSGD(
                lr: 0.1, momentum: Double(v.momentum), dampening: Double(v.dampening), weightDecay: Double(v.weightDecay), nesterov: v.nesterov)
            assertClose(naiveScalars(param), expected, tolerance: 1e-5, "\(v)")
            XCTAssertEqual(buffer == nil, v.momentum == 0, "a momentum buffer exists exactly when momentum is used")
        }
    }

    func testSGDLeavesSharedCopiesAlone() {
        let original = randomArray(shape, seed: 1)
        var param = original
        var buffer: NDArray? = nil
        OptimizerKernels.sgd(param: &param, grad: gradient(0), momentumBuffer: &buffer, lr: 0.1)
        XCTAssertEqual(original, randomArray(shape, seed: 1), "copy-on-write: the caller's other copy is unchanged")
        XCTAssertNotEqual(param, original)
    }

    /// The fused update's factors for step t: `a` [3, 4] and `b` [4, 5], in any of the layouts
    /// the graph's gradient rules produce (a dense matrix or a transposed view of one).
    private func factors(_ t: Int, transposeA: Bool, transposeB: Bool) -> (NDArray, NDArray) {
        let a = transposeA ? randomArray([4, 3], seed: 200 + UInt64(t)).transposed(0, 1) : randomArray([3, 4], seed: 200 + UInt64(t))
        let b = transposeB ? randomArray([5, 4], seed: 300 + UInt64(t)).transposed(0, 1) : randomArray([4, 5], seed: 300 + UInt64(t))
        return (a, b)
    }

    /// a · b by the definition, in Double.
    private func naiveProduct(_ a: NDArray, _ b: NDArray) -> [Double] {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                for l in 0..<k { out[i * n + j] += Double(a[i, l]) * Double(b[l, j]) }
            }
        }
        return out
    }

    func testSGDFromGradientProductMatchesTorchFormula() {
        for (momentum, weightDecay) in [(0, 0), (0, 0.1), (0.9, 0), (0.8, 0.05)] as [(Float, Float)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                var param = randomArray(shape, seed: 1)
                var buffer: NDArray? = nil
                var gradients: [[Double]] = []
                for t in 0..<steps {
                    let (a, b) = factors(t, transposeA: transposeA, transposeB: transposeB)
                    gradients.append(naiveProduct(a, b))
                    OptimizerKernels.sgd(
                        param: &param, productOf: a, and: b, momentumBuffer: &buffer, lr: 0.1, momentum: momentum, weightDecay: weightDecay)
                }
                let expected = referenceSGD(
                    lr: 0.1, momentum: Double(momentum), dampening: 0, weightDecay: Double(weightDecay), nesterov: false, gradients: gradients)
                let label = "momentum \(momentum), weight decay \(weightDecay), aᵀ \(transposeA), bᵀ \(transposeB)"
                assertClose(naiveScalars(param), expected, tolerance: 1e-5, label)
                XCTAssertEqual(buffer == nil, momentum == 0, label)
            }
        }
    }

    func testSGDFromGradientProductLeavesSharedCopiesAloneAndHandlesAnEmptyBatch() {
        let original = randomArray(shape, seed: 1)
        var param = original
        var buffer: NDArray? = nil
        let (a, b) = factors(0, transposeA: true, transposeB: false)
        OptimizerKernels.sgd(param: &param, productOf: a, and: b, momentumBuffer: &buffer, lr: 0.1, momentum: 0.9)
        XCTAssertEqual(original, randomArray(shape, seed: 1), "copy-on-write: the caller's other copy is unchanged")
        let moved = param
        // k = 0 (an empty batch): the gradient is zero, so momentum alone moves the weights.
        OptimizerKernels.sgd(
            param: &param, productOf: NDArray(zeros: [3, 0]), and: NDArray(zeros: [0, 5]), momentumBuffer: &buffer, lr: 0.1, momentum: 0.9)
        let expectedBuffer = zip(naiveScalars(original), naiveScalars(moved)).map { 0.9 * ($0 - $1) / 0.1 }
        assertClose(naiveScalars(buffer!), expectedBuffer, tolerance: 1e-4)
    }

    /// torch.optim.Adam (amsgrad off), from its documentation's pseudocode.
    private func referenceAdam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) -> [Float] {
        var theta = naiveScalars(randomArray(shape, seed: 1)).map(Double.init)
        var m = [Double](repeating: 0, count: theta.count), v = m
        for t in 1...steps {
            let g = zip(naiveScalars(gradient(t - 1)), theta).map { Double($0) + weightDecay * $1 }
            for i in theta.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                let mHat = m[i] / (1 - Foundation.pow(beta1, Double(t)))
                let vHat = v[i] / (1 - Foundation.pow(beta2, Double(t)))
                theta[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        return theta.map { Float($0) }
    }

    func testAdam() {
        for (lr, beta1, beta2, eps, weightDecay) in [(1e-3, 0.9, 0.999, 1e-8, 0.0), (0.05, 0.8, 0.99, 1e-6, 0.01)] as [(Float, Float, Float, Float, Float)] {
            var param = randomArray(shape, seed: 1)
            var m = NDArray(zeros: shape), v = NDArray(zeros: shape)
            for t in 1...steps {
                OptimizerKernels.adam(
                    param: &param, grad: gradient(t - 1), m: &m, v: &v, step: t, lr: lr, beta1: beta1, beta2: beta2, eps: eps,
                    weightDecay: weightDecay)
            }
            let expected = referenceAdam(lr: Double(lr), beta1: Double(beta1), beta2: Double(beta2), eps: Double(eps), weightDecay: Double(weightDecay))
            assertClose(naiveScalars(param), expected, tolerance: 1e-5, "lr \(lr)")
        }
    }

    func testAdamFirstStepMovesEveryWeightByAboutLr() {
        // A known closed form: after one step m̂ = g and v̂ = g², so each weight moves by lr * sign(g).
        var param = NDArray(zeros: [4])
        var m = NDArray(zeros: [4]), v = NDArray(zeros: [4])
        OptimizerKernels.adam(param: &param, grad: NDArray(shape: [4], scalars: [3, -0.5, 100, -2]), m: &m, v: &v, step: 1, lr: 0.01)
        assertClose(param.scalars, [-0.01, 0.01, -0.01, 0.01], tolerance: 1e-6)
    }

    func testTotalNormScaleAccumulateIsFinite() {
        let a = NDArray(shape: [2], scalars: [3, 4]), b = NDArray(shape: [1, 1], scalars: [12])
        XCTAssertEqual(OptimizerKernels.totalNorm([a, b]), 13)
        XCTAssertEqual(OptimizerKernels.totalNorm([]), 0)
        var x = randomArray([70001], seed: 2)
        let original = x
        OptimizerKernels.scale(&x, by: -2)
        assertClose(x, Naive.unary(original) { -2 * $0 })
        var acc = randomArray([3, 4], seed: 3)
        let start = acc
        let addend = randomArray([4, 3], seed: 4).transposed(0, 1)
        OptimizerKernels.accumulate(&acc, addend)
        assertClose(acc, Naive.binary(start, addend, +))
        XCTAssertTrue(OptimizerKernels.isFinite(a))
        XCTAssertFalse(OptimizerKernels.isFinite(NDArray(shape: [2], scalars: [1, .nan])))
        XCTAssertFalse(OptimizerKernels.isFinite(NDArray(shape: [2], scalars: [-.infinity, 1])))
        XCTAssertTrue(OptimizerKernels.isFinite(NDArray(zeros: [0])))
    }
    /// torch.optim.Adam / AdamW with every option, from the documentation's pseudocode, in Double.
    private func referenceAdamFull(
        lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool, amsgrad: Bool,
        maximize: Bool
    ) -> [Float] {
        var theta = naiveScalars(randomArray(shape, seed: 1)).map(Double.init)
        var m = [Double](repeating: 0, count: theta.count), v = m, vMax = m
        for t in 1...steps {
            let grads = naiveScalars(gradient(t - 1)).map { Double($0) * (maximize ? -1 : 1) }
            for i in theta.indices {
                var g = grads[i]
                if decoupled { theta[i] *= 1 - lr * weightDecay } else { g += weightDecay * theta[i] }
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                vMax[i] = Swift.max(vMax[i], v[i])
                let mHat = m[i] / (1 - Foundation.pow(beta1, Double(t)))
                let vHat = (amsgrad ? vMax[i] : v[i]) / (1 - Foundation.pow(beta2, Double(t)))
                theta[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        return theta.map { Float($0) }
    }

    func testAdamAndAdamWWithEveryOption() {
        for decoupled in [false, true] {
            for amsgrad in [false, true] {
                for maximize in [false, true] {
                    var param = randomArray(shape, seed: 1)
                    var m = NDArray(zeros: shape), v = NDArray(zeros: shape)
                    var vMax: NDArray? = amsgrad ? NDArray(zeros: shape) : nil
                    for t in 1...steps {
                        OptimizerKernels.adam(
                            param: &param, grad: gradient(t - 1), m: &m, v: &v, maxSquare: &vMax, step: t, lr: 0.05, beta1: 0.8,
                            beta2: 0.9, eps: 1e-6, weightDecay: 0.1, decoupledWeightDecay: decoupled, amsgrad: amsgrad, maximize: maximize)
                    }
                    let expected = referenceAdamFull(
                        lr: 0.05, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1, decoupled: decoupled, amsgrad: amsgrad,
                        maximize: maximize)
                    assertClose(naiveScalars(param), expected, tolerance: 1e-5, "decoupled \(decoupled) amsgrad \(amsgrad) maximize \(maximize)")
                }
            }
        }
    }

    /// torch.optim.RMSprop with every option, from the documentation's pseudocode, in Double.
    private func referenceRMSprop(
        lr: Double, alpha: Double, eps: Double, weightDecay: Double, momentum: Double, centered: Bool, maximize: Bool
    ) -> [Float] {
        var theta = naiveScalars(randomArray(shape, seed: 1)).map(Double.init)
        var square = [Double](repeating: 0, count: theta.count), average = square, buffer = square
        for t in 0..<steps {
            let grads = naiveScalars(gradient(t)).map { Double($0) * (maximize ? -1 : 1) }
            for i in theta.indices {
                let g = grads[i] + weightDecay * theta[i]
                square[i] = alpha * square[i] + (1 - alpha) * g * g
                var denominator = square[i]
                if centered {
                    average[i] = alpha * average[i] + (1 - alpha) * g
                    denominator -= average[i] * average[i]
                }
                let step = g / (denominator.squareRoot() + eps)
                if momentum > 0 {
                    buffer[i] = momentum * buffer[i] + step
                    theta[i] -= lr * buffer[i]
                } else {
                    theta[i] -= lr * step
                }
            }
        }
        return theta.map { Float($0) }
    }

    func testRMSpropWithEveryOption() {
        for centered in [false, true] {
            for momentum: Float in [0, 0.7] {
                for (weightDecay, maximize) in [(0, false), (0.1, true)] as [(Float, Bool)] {
                    var param = randomArray(shape, seed: 1)
                    var square = NDArray(zeros: shape)
                    var buffer: NDArray? = momentum > 0 ? NDArray(zeros: shape) : nil
                    var average: NDArray? = centered ? NDArray(zeros: shape) : nil
                    for t in 0..<steps {
                        OptimizerKernels.rmsprop(
                            param: &param, grad: gradient(t), squareAverage: &square, momentumBuffer: &buffer, gradAverage: &average,
                            lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: weightDecay, momentum: momentum, maximize: maximize)
                    }
                    let expected = referenceRMSprop(
                        lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: Double(weightDecay), momentum: Double(momentum), centered: centered,
                        maximize: maximize)
                    assertClose(naiveScalars(param), expected, tolerance: 1e-5, "centered \(centered) momentum \(momentum) wd \(weightDecay)")
                }
            }
        }
    }

    func testMaximizeIsExactlyADescentOnTheNegatedGradient() {
        for momentum: Float in [0, 0.9] {
            var up = randomArray(shape, seed: 1), down = up
            var upBuffer: NDArray? = nil, downBuffer: NDArray? = nil
            for t in 0..<steps {
                let negated = NDArray(shape: shape, scalars: naiveScalars(gradient(t)).map { -$0 })
                OptimizerKernels.sgd(param: &up, grad: gradient(t), momentumBuffer: &upBuffer, lr: 0.1, momentum: momentum, maximize: true)
                OptimizerKernels.sgd(param: &down, grad: negated, momentumBuffer: &downBuffer, lr: 0.1, momentum: momentum)
            }
            XCTAssertEqual(naiveScalars(up), naiveScalars(down), "momentum \(momentum)")
        }
    }

    func testClipCoefficient() {
        XCTAssertEqual(OptimizerKernels.clipCoefficient(norm: 10, maxNorm: 1), 1 / (10 + 1e-6))
        XCTAssertEqual(OptimizerKernels.clipCoefficient(norm: 0.5, maxNorm: 1), 1, "never scales up")
        XCTAssertEqual(OptimizerKernels.clipCoefficient(norm: .infinity, maxNorm: 1), 0)
    }
}
