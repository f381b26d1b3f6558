import Foundation
import XCTest
@testable import TandemGraph

/// Every op's forward value through a session, against naive loops and closed forms.
final class NodeOpsForwardTests: XCTestCase {
    private func run(_ values: [NDArray], _ build: ([Node]) -> Node) throws -> NDArray {
        let g = Graph()
        let inputs = values.enumerated().map { g.placeholder(shape: $0.element.shape.map { $0 }, name: "x\($0.offset)") }
        let out = build(inputs)
        return try Session(graph: g).run(out, feed: Dictionary(uniqueKeysWithValues: zip(inputs, values)))
    }

    func testUnaryElementwise() throws {
        let v = testValues(6, low: 0.2, high: 2)
        let x = NDArray(shape: [2, 3], scalars: v)
        let cases: [(String, (Node) -> Node, (Float) -> Float)] = [
            ("neg", { -$0 }, { -$0 }),
            ("relu", { ($0 - 1).relu() }, { Swift.max($0 - 1, 0) }),
            ("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }),
            ("tanh", { $0.tanh() }, { Foundation.tanh($0) }),
            ("exp", { $0.exp() }, { Foundation.exp($0) }),
            ("log", { $0.log() }, { Foundation.log($0) }),
            ("sqrt", { $0.sqrt() }, { $0.squareRoot() }),
            ("pow", { $0.pow(3) }, { $0 * $0 * $0 }),
            ("scalar", { 2 * $0 + 1 }, { 2 * $0 + 1 }),
            ("rdiv", { 1 / $0 }, { 1 / $0 }),
        ]
        for (name, build, reference) in cases {
            assertClose(try run([x]) { build($0[0]) }.scalars, v.map(reference), tolerance: 1e-5, name)
        }
    }

    func testBroadcastingBinaryOps() throws {
        let a = NDArray(shape: [2, 3], scalars: testValues(6, seed: 1))
        let b = NDArray(shape: [3], scalars: testValues(3, seed: 2, low: 0.5, high: 1.5))
        let av = a.scalars, bv = b.scalars
        func ref(_ f: (Float, Float) -> Float) -> [Float] { (0..<6).map { f(av[$0], bv[$0 % 3]) } }
        assertClose(try run([a, b]) { $0[0] + $0[1] }.scalars, ref(+))
        assertClose(try run([a, b]) { $0[0] - $0[1] }.scalars, ref(-))
        assertClose(try run([a, b]) { $0[0] * $0[1] }.scalars, ref(*))
        assertClose(try run([a, b]) { $0[0] / $0[1] }.scalars, ref(/))
    }

    func testReductions() throws {
        let v = testValues(6)
        let x = NDArray(shape: [2, 3], scalars: v)
        assertClose(try run([x]) { $0[0].sum() }.scalars, [v.reduce(0, +)])
        assertClose(try run([x]) { $0[0].mean() }.scalars, [v.reduce(0, +) / 6])
        assertClose(try run([x]) { $0[0].sum(dim: 0) }.scalars, (0..<3).map { v[$0] + v[$0 + 3] })
        assertClose(try run([x]) { $0[0].mean(dim: 1) }.scalars, [v[0..<3].reduce(0, +) / 3, v[3..<6].reduce(0, +) / 3])
        assertClose(try run([x]) { $0[0].max(dim: 1) }.scalars, [v[0..<3].max()!, v[3..<6].max()!])
        assertClose(try run([x]) { $0[0].max() }.scalars, [v.max()!])
        let argmax = try run([x]) { $0[0].argmax(dim: 1) }.scalars
        XCTAssertEqual(argmax, [Float(v[0..<3].firstIndex(of: v[0..<3].max()!)!), Float(v[3..<6].firstIndex(of: v[3..<6].max()!)! - 3)])
        XCTAssertEqual(try run([x]) { $0[0].sum(dim: 1, keepDim: true) }.shape, [2, 1])
    }

    func testShapeOps() throws {
        let v = testValues(6)
        let x = NDArray(shape: [2, 3], scalars: v)
        XCTAssertEqual(try run([x]) { $0[0].transpose(0, 1) }.scalars, [v[0], v[3], v[1], v[4], v[2], v[5]])
        let r = try run([x]) { $0[0].reshape([3, -1]) }
        XCTAssertEqual(r.shape, [3, 2])
        XCTAssertEqual(r.scalars, v)
        XCTAssertEqual(try run([NDArray(shape: [2, 1, 3], scalars: v)]) { $0[0].flatten(startDim: 1) }.shape, [2, 3])
    }

    func testMatmulAndLinear() throws {
        let a = NDArray(shape: [2, 3], scalars: testValues(6, seed: 3))
        let b = NDArray(shape: [3, 4], scalars: testValues(12, seed: 4))
        let bias = NDArray(shape: [4], scalars: testValues(4, seed: 5))
        var expected = [Float](repeating: 0, count: 8)
        for i in 0..<2 { for j in 0..<4 { for k in 0..<3 { expected[i * 4 + j] += a[i, k] * b[k, j] } } }
        assertClose(try run([a, b]) { $0[0].matmul($0[1]) }.scalars, expected)
        // linear takes PyTorch's [out, in] weight: pass bᵀ.
        let wt = NDArray(shape: [4, 3], scalars: b.transposed(0, 1).scalars)
        let withBias = (0..<8).map { Swift.max(expected[$0] + bias.scalars[$0 % 4], 0) }
        assertClose(try run([a, wt, bias]) { linear($0[0], weight: $0[1], bias: $0[2], activation: .relu) }.scalars, withBias)
    }

    func testSoftmaxFamily() throws {
        let v = testValues(6)
        let x = NDArray(shape: [2, 3], scalars: v)
        var softmax = [Float](), logSoftmax = [Float]()
        for row in 0..<2 {
            let r = Array(v[row * 3..<row * 3 + 3])
            let total = r.map { Foundation.exp($0) }.reduce(0, +)
            softmax += r.map { Foundation.exp($0) / total }
            logSoftmax += r.map { $0 - Foundation.log(total) }
        }
        assertClose(try run([x]) { $0[0].softmax(dim: 1) }.scalars, softmax)
        assertClose(try run([x]) { $0[0].logSoftmax(dim: 1) }.scalars, logSoftmax)
        let labels = NDArray(shape: [2], scalars: [2, 0])
        let ce = -(logSoftmax[2] + logSoftmax[3]) / 2
        assertClose(try run([x, labels]) { crossEntropy($0[0], $0[1]) }.scalars, [ce])
        let target = NDArray(shape: [2, 3], scalars: testValues(6, seed: 8))
        let mse = zip(v, target.scalars).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 6
        assertClose(try run([x, target]) { mseLoss($0[0], $0[1]) }.scalars, [mse])
    }

    func testConvolutionAndPooling() throws {
        let x = NDArray(shape: [1, 2, 4, 4], scalars: testValues(32, seed: 6))
        let w = NDArray(shape: [3, 2, 3, 3], scalars: testValues(54, seed: 7))
        let bias = NDArray(shape: [3], scalars: [0.1, -0.2, 0.3])
        var expected = [Float](repeating: 0, count: 3 * 2 * 2)
        for o in 0..<3 { for i in 0..<2 { for j in 0..<2 {
            var s = bias.scalars[o]
            for c in 0..<2 { for p in 0..<3 { for q in 0..<3 { s += x[0, c, i + p, j + q] * w[o, c, p, q] } } }
            expected[(o * 2 + i) * 2 + j] = s
        } } }
        assertClose(try run([x, w, bias]) { conv2d($0[0], weight: $0[1], bias: $0[2]) }.scalars, expected, tolerance: 1e-4)
        var pooled = [Float]()
        for c in 0..<2 { for i in 0..<2 { for j in 0..<2 {
            pooled.append([x[0, c, 2 * i, 2 * j], x[0, c, 2 * i + 1, 2 * j], x[0, c, 2 * i, 2 * j + 1], x[0, c, 2 * i + 1, 2 * j + 1]].max()!)
        } } }
        assertClose(try run([x]) { maxPool2d($0[0], kernelSize: 2) }.scalars, pooled)
    }
}

/// Every differentiable op's graph gradient against central finite differences.
final class NodeOpsGradientTests: XCTestCase {
    private let x23 = NDArray(shape: [2, 3], scalars: testValues(6, seed: 11, low: 0.3, high: 1.5))
    private let y23 = NDArray(shape: [2, 3], scalars: testValues(6, seed: 12, low: 0.3, high: 1.5))

    func testElementwise() throws {
        try checkGradients([x23]) { -$0[0] }
        try checkGradients([x23]) { ($0[0] - 0.9).relu() }
        try checkGradients([x23]) { $0[0].sigmoid() }
        try checkGradients([x23]) { $0[0].tanh() }
        try checkGradients([x23]) { $0[0].exp() }
        try checkGradients([x23]) { $0[0].log() }
        try checkGradients([x23]) { $0[0].sqrt() }
        try checkGradients([x23]) { $0[0].pow(2.5) }
        try checkGradients([x23]) { 3 * $0[0] + 2 }
        try checkGradients([x23, y23]) { $0[0] + $0[1] }
        try checkGradients([x23, y23]) { $0[0] - $0[1] }
        try checkGradients([x23, y23]) { $0[0] * $0[1] }
        try checkGradients([x23, y23]) { $0[0] / $0[1] }
        try checkGradients([x23, NDArray(shape: [3], scalars: [0.5, 1, 2])]) { $0[0] * $0[1] + $0[1] }
    }

    func testReductionsAndShapes() throws {
        try checkGradients([x23]) { $0[0].sum(dim: 1) }
        try checkGradients([x23]) { $0[0].mean(dim: 0, keepDim: true) }
        try checkGradients([x23]) { $0[0].mean() }
        try checkGradients([x23]) { $0[0].max(dim: 1) }
        try checkGradients([x23]) { $0[0].reshape([3, 2]) }
        try checkGradients([x23]) { $0[0].transpose(0, 1) }
        try checkGradients([NDArray(shape: [2, 1, 3], scalars: x23.scalars)]) { $0[0].flatten(startDim: 1) }
    }

    func testLinearAlgebraAndNetworkOps() throws {
        let w = NDArray(shape: [3, 4], scalars: testValues(12, seed: 13))
        let wt = NDArray(shape: [4, 3], scalars: testValues(12, seed: 14))
        let b = NDArray(shape: [4], scalars: testValues(4, seed: 15))
        try checkGradients([x23, w]) { $0[0].matmul($0[1]) }
        try checkGradients([x23, wt, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        try checkGradients([x23, wt, b]) { linear($0[0], weight: $0[1], bias: $0[2], activation: .tanh) }
        try checkGradients([x23, wt, b]) { linear($0[0], weight: $0[1], bias: $0[2], activation: .sigmoid) }
        try checkGradients([x23]) { $0[0].softmax(dim: 1) }
        try checkGradients([x23]) { $0[0].logSoftmax(dim: 1) }
        try checkGradients([x23, y23]) { mseLoss($0[0], $0[1]) }
        try checkGradients([x23]) { logits in
            crossEntropy(logits[0], logits[0].graph.constant(NDArray(shape: [2], scalars: [1, 2])))
        }
        let image = NDArray(shape: [1, 2, 5, 5], scalars: testValues(50, seed: 16))
        let kernel = NDArray(shape: [2, 2, 3, 3], scalars: testValues(36, seed: 17))
        try checkGradients([image, kernel]) { conv2d($0[0], weight: $0[1], stride: 2, padding: 1) }
        try checkGradients([image]) { maxPool2d($0[0], kernelSize: 2, stride: 1) }
    }

    func testSecondRoundOps() throws {
        let x = NDArray(shape: [2, 3], scalars: testValues(6, seed: 21, low: -1.5, high: 1.5))
        let cube = NDArray(shape: [2, 3, 2], scalars: testValues(12, seed: 22))
        try checkGradients([cube]) { $0[0].narrow(dim: 1, start: -2, length: 2).permute([2, 0, 1]) }
        try checkGradients([x]) { $0[0].unsqueeze(dim: 1).squeeze(dim: 1).squeeze(dim: 0) }
        try checkGradients([x]) { $0[0].indexSelect(dim: 1, index: $0[0].graph.constant(NDArray(shape: [4], scalars: [2, 0, 2, 1]))) }
        try checkGradients([x]) { $0[0].abs() + $0[0].clamp(min: -0.5, max: 0.5) + $0[0].leakyRelu(negativeSlope: 0.1) + $0[0].gelu() }
        try checkGradients([x, cube]) { cat([$0[0].unsqueeze(dim: -1), $0[1].narrow(dim: 2, start: 1, length: 1)], dim: 0) }
        try checkGradients([x, x]) { stack([$0[0], $0[1] * 2], dim: -1) }
        try checkGradients([NDArray(shape: [4, 2], scalars: testValues(8, seed: 23))]) { weight in
            embedding(weight[0].graph.constant(NDArray(shape: [2, 3], scalars: [3, 0, 3, 1, 3, 2])), weight: weight[0])
        }
        let image = NDArray(shape: [1, 2, 5, 5], scalars: testValues(50, seed: 24))
        try checkGradients([image]) { avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) }
        try checkGradients([x]) { nllLoss($0[0].logSoftmax(dim: 1), $0[0].graph.constant(NDArray(shape: [2], scalars: [2, 0]))) }
        try checkGradients([x, NDArray(shape: [2, 3], scalars: testValues(6, seed: 25, low: 0, high: 1))]) {
            binaryCrossEntropyWithLogits($0[0], $0[1])
        }
    }

    /// In training, the mean and variance are functions of the batch, and the gradient flows
    /// through them (the composite batchStatistics -> batchNorm), checked against finite
    /// differences of the whole forward.
    func testBatchNormGradientsFlowThroughTheBatchStatistics() throws {
        let x = NDArray(shape: [2, 3, 2, 2], scalars: testValues(24, seed: 26, low: -2, high: 2))
        let w = NDArray(shape: [3], scalars: testValues(3, seed: 27, low: 0.5, high: 1.5))
        let b = NDArray(shape: [3], scalars: testValues(3, seed: 28))
        try checkGradients([x, w, b]) { batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true) }
        try checkGradients([NDArray(shape: [5, 3], scalars: testValues(15, seed: 29, low: -2, high: 2)), w]) {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: nil, training: true)
        }
        try checkGradients([x]) { batchNorm($0[0], runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true, eps: 1e-3) }
        // Eval: the running statistics are constants; x, weight and bias get gradients.
        try checkGradients([x, w, b]) { v in
            let g = v[0].graph
            return batchNorm(v[0], runningMean: g.constant(NDArray(shape: [3], scalars: [0.1, -0.2, 0.3])),
                             runningVar: g.constant(NDArray(shape: [3], scalars: [0.5, 1, 2])), weight: v[1], bias: v[2], training: false)
        }
        try checkGradients([x.reshaped([2, 12]), NDArray(shape: [12], scalars: testValues(12, seed: 30))]) {
            layerNorm($0[0], normalizedShape: [12], weight: nil, bias: $0[1])
        }
    }

    /// Shape errors of the new ops surface where the node is added, naming the op and the line.
    func testShapeErrorsOfTheNewOpsNameTheLine() {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        var line = 0
        let cases: [(String, () -> Void)] = [
            ("squeeze", { line = #line; _ = x.squeeze(dim: 0) }),
            ("cat", { line = #line; _ = cat([x, g.placeholder(shape: [nil, 3, 1])], dim: 0) }),
            ("narrow", { line = #line; _ = x.narrow(dim: 1, start: 1, length: 3) }),
            ("avg_pool2d", { line = #line; _ = avgPool2d(x, kernelSize: 2) }),
            ("layer_norm", { line = #line; _ = layerNorm(x, normalizedShape: [4], weight: nil, bias: nil) }),
            ("batch_norm", { line = #line; _ = batchNorm(x, runningMean: nil, runningVar: nil, weight: g.placeholder(shape: [2]), bias: nil, training: true) }),
        ]
        for (op, body) in cases {
            do {
                try checked(body)
                XCTFail("\(op): no error")
            } catch let TandemError.shapeMismatch(name, _, reason, location) {
                XCTAssertEqual(name, op, reason)
                XCTAssertEqual(location?.line, line, "\(op): \(reason)")
            } catch {
                XCTFail("\(op): \(error)")
            }
        }
        // An empty list leaves no graph to add a node to: still an error inside `checked`, naming
        // the op and the line, and whatever is built on the result carries it on.
        for op in ["cat", "stack"] {
            do {
                try checked {
                    line = #line; let joined = op == "cat" ? cat([Node](), dim: 0) : stack([Node](), dim: 0)
                    _ = joined * joined
                }
                XCTFail("\(op): no error")
            } catch let TandemError.invalidValue(name, reason, location) {
                XCTAssertEqual(name, op, reason)
                XCTAssertEqual(reason, "expects a non-empty list of values, got an empty list")
                XCTAssertEqual(location?.line, line, "\(op): \(reason)")
            } catch {
                XCTFail("\(op): \(error)")
            }
        }
        // An unknown batch is fine where the rule can tell nothing is wrong: checked at run time.
        let narrowed = x.narrow(dim: 0, start: 1, length: 2)
        XCTAssertEqual(narrowed.shape, [2, 3])
        let message = errorMessage { _ = try Session(graph: g).run(narrowed, feed: [x: NDArray(zeros: [2, 3])]) }
        XCTAssertTrue(message?.contains("exceeds dimension 0 of size 2") ?? false, message ?? "no error")
    }
}
