import XCTest
@testable import TandemGraph

/// Every op of the graph API against values recorded from PyTorch
/// (scripts/pytorch/record_eager_reference.py, the same generated file the eager tests read,
/// linked here): the forward value and the gradient of each input for a fixed upstream gradient,
/// computed by a session from placeholders and `gradients(of:with:)`.
final class PyTorchReferenceTests: XCTestCase {
    /// The graph expression for each recorded case, written exactly like the eager one.
    static let expressions: [String: ([Node]) -> Node] = [
        "add": { $0[0] + $0[1] },
        "add_broadcast_row": { $0[0] + $0[1] },
        "add_broadcast_both": { $0[0] + $0[1] },
        "sub_broadcast": { $0[0] - $0[1] },
        "mul_broadcast": { $0[0] * $0[1] },
        "mul_same": { $0[0] * $0[1] },
        "div_broadcast": { $0[0] / $0[1] },
        "neg": { -$0[0] },
        "add_scalar": { $0[0] + 2.5 },
        "scalar_add": { 2.5 + $0[0] },
        "sub_scalar": { $0[0] - 1.5 },
        "scalar_sub": { 1.5 - $0[0] },
        "mul_scalar": { $0[0] * 3 },
        "scalar_mul": { 3 * $0[0] },
        "div_scalar": { $0[0] / 4 },
        "scalar_div": { 2 / $0[0] },
        "matmul": { $0[0].matmul($0[1]) },
        "matmul_batched": { $0[0].matmul($0[1]) },
        "matmul_batched_matrix": { matmul($0[0], $0[1]) },
        "relu": { $0[0].relu() },
        "sigmoid": { $0[0].sigmoid() },
        "tanh": { $0[0].tanh() },
        "exp": { $0[0].exp() },
        "log": { $0[0].log() },
        "pow3": { $0[0].pow(3) },
        "pow_half": { $0[0].pow(0.5) },
        "sqrt": { $0[0].sqrt() },
        "sum": { $0[0].sum() },
        "sum_dim1": { $0[0].sum(dim: 1) },
        "sum_dim0_keepdim": { $0[0].sum(dim: 0, keepDim: true) },
        "mean": { $0[0].mean() },
        "mean_dim1_keepdim": { $0[0].mean(dim: 1, keepDim: true) },
        "mean_dim_neg1": { $0[0].mean(dim: -1) },
        "max": { $0[0].max() },
        "max_dim1": { $0[0].max(dim: 1) },
        "max_dim0_keepdim": { $0[0].max(dim: 0, keepDim: true) },
        "argmax_dim1": { $0[0].argmax(dim: 1) },
        "reshape": { $0[0].reshape([3, -1]) },
        "transpose": { $0[0].transpose(0, 1) },
        "transpose_neg": { $0[0].transpose(-1, -2) },
        "flatten1": { $0[0].flatten(startDim: 1) },
        "softmax_dim1": { $0[0].softmax(dim: 1) },
        "softmax_dim0": { $0[0].softmax(dim: 0) },
        "log_softmax_dim1": { $0[0].logSoftmax(dim: 1) },
        "conv2d_bias": { conv2d($0[0], weight: $0[1], bias: $0[2]) },
        "conv2d_stride2_pad1": { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) },
        "conv2d_nobias": { conv2d($0[0], weight: $0[1]) },
        "max_pool2d": { maxPool2d($0[0], kernelSize: 2) },
        "max_pool2d_k3s2": { maxPool2d($0[0], kernelSize: 3, stride: 2) },
        "cross_entropy": { crossEntropy($0[0], $0[1]) },
        "mse_loss": { mseLoss($0[0], $0[1]) },
        "linear": { linear($0[0], weight: $0[1], bias: $0[2]) },
        "composite": { a in
            let b = a[1]
            let x = a[0]
            return ((x * b).sum(dim: 1) - x.mean()).tanh() * x.exp().sum(dim: 1)
        },
    ]

    func testEveryOpMatchesPyTorch() throws {
        XCTAssertEqual(PyTorchReference.ops.count, Self.expressions.count, "every recorded case has an expression")
        for passes in [GraphOptimizer.Options.none, .all] {
            for reference in PyTorchReference.ops {
                guard let expression = Self.expressions[reference.name] else {
                    XCTFail("no expression for \(reference.name)")
                    continue
                }
                let g = Graph()
                let inputs = reference.inputs.enumerated().map { g.placeholder(shape: $0.element.shape.map { $0 }, name: "input\($0.offset)") }
                let output = expression(inputs)
                XCTAssertEqual(output.shape, reference.outputShape.map { $0 }, reference.name + " static shape")
                let differentiable = reference.grads.indices.filter { reference.grads[$0] != nil }
                var fetches = [output]
                if !differentiable.isEmpty {
                    let upstream = g.constant(NDArray(shape: reference.outputShape, scalars: reference.upstream))
                    fetches += g.gradients(of: (output * upstream).sum(), with: differentiable.map { inputs[$0] })
                }
                let feed = Dictionary(uniqueKeysWithValues: zip(inputs, reference.inputs.map { NDArray(shape: $0.shape, scalars: $0.values) }))
                let values = try Session(graph: g, options: .init(optimizer: passes)).run(fetches, feed: feed)
                XCTAssertEqual(values[0].shape, reference.outputShape, reference.name)
                assertClose(values[0].scalars, reference.output, tolerance: 1e-5, reference.name + " forward")
                for (k, i) in differentiable.enumerated() {
                    XCTAssertEqual(values[k + 1].shape, reference.inputs[i].shape, "\(reference.name) gradient shape \(i)")
                    assertClose(values[k + 1].scalars, reference.grads[i]!, tolerance: 1e-5, "\(reference.name) gradient of input \(i)")
                }
            }
        }
    }
}
