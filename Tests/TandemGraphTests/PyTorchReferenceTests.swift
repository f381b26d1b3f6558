import XCTest
@testable import TandemGraph
import TandemTestSupport

/// Every op of the graph API against values recorded from PyTorch
/// (scripts/pytorch/record_eager_reference.py; the data and the expressions live in
/// TandemTestSupport and the eager tests run the same ones): the forward value and the gradient of each input for a fixed upstream gradient,
/// computed by a session from placeholders and `gradients(of:with:)`.
final class PyTorchReferenceTests: XCTestCase {
    func testEveryOpMatchesPyTorch() throws {
        for passes in [GraphOptimizer.Options.none, .all] {
            for reference in PyTorchReference.ops {
                let g = Graph()
                let inputs = reference.inputs.enumerated().map { g.placeholder(shape: $0.element.shape.map { $0 }, name: "input\($0.offset)") }
                guard let output = ReferenceExpressions.make(reference.name, inputs) else {
                    XCTFail("no expression for \(reference.name)")
                    continue
                }
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
