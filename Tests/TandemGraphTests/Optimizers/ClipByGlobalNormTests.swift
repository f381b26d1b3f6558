import TandemEager
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// clipByGlobalNorm against tf.clip_by_global_norm (recorded) and against the eager
/// clipGradNorm, which it shares its kernels with.
final class ClipByGlobalNormTests: XCTestCase {
    private let shapes = PyTorchOptimizerReference.parameterShapes

    private func clip(_ clipNorm: Float) throws -> (clipped: [[Float]], norm: Float) {
        let g = Graph()
        let grads = zip(shapes, TF1OptimizerReference.clipGradients).map { g.constant(NDArray(shape: $0.0, scalars: $0.1)) }
        let (clipped, norm) = clipByGlobalNorm(grads, clipNorm: clipNorm)
        let values = try Session(graph: g).run(clipped + [norm])
        return (values.dropLast().map(\.scalars), values.last!.scalar)
    }

    func testMatchesTF1() throws {
        for reference in TF1OptimizerReference.clips {
            let (clipped, norm) = try clip(reference.clipNorm)
            XCTAssertEqual(norm, reference.globalNorm, accuracy: 1e-6 * reference.globalNorm)
            // TF1 divides by the norm, Tandem (as PyTorch) by norm + 1e-6: 1e-6 / norm relative.
            for (a, b) in zip(clipped, reference.clipped) { assertClose(a, b, tolerance: 1e-6) }
        }
    }

    func testMatchesEagerClipGradNormBitForBit() throws {
        for maxNorm: Float in [0.5, 100] {
            let tensors = zip(shapes, TF1OptimizerReference.clipGradients).map { shape, values -> Tensor in
                let t = Tensor(shape: shape, scalars: Array(repeating: 0, count: values.count), requiresGrad: true)
                t.grad = Tensor(shape: shape, scalars: values)
                return t
            }
            let eagerNorm = clipGradNorm(tensors, maxNorm: maxNorm)
            let (clipped, norm) = try clip(maxNorm)
            XCTAssertEqual(norm, eagerNorm)
            XCTAssertEqual(clipped, tensors.map { $0.grad!.scalars }, "maxNorm \(maxNorm)")
        }
    }

    func testBetweenComputeAndApplyGradients() throws {
        let g = Graph()
        let w = g.variable(NDArray(shape: [2], scalars: [3, 4]), name: "w")
        let optimizer = GradientDescentOptimizer(learningRate: 1)
        let pairs = optimizer.computeGradients((w * w).sum() * 0.5)  // gradient w = [3, 4], norm 5
        let (clipped, norm) = clipByGlobalNorm(pairs.map(\.gradient), clipNorm: 1)
        let train = optimizer.applyGradients([(gradient: clipped[0], variable: w)])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        XCTAssertEqual(try session.run([norm, train])[0].scalar, 5)
        assertClose(try session.value(of: w).scalars, [3 - 0.6, 4 - 0.8], tolerance: 1e-6)
    }

    func testBadArgumentsAreErrors() {
        let g = Graph()
        let a = g.constant(NDArray(ones: [2]))
        XCTAssertThrowsError(try checked { _ = clipByGlobalNorm([a], clipNorm: 0) })
        let other = Graph()
        XCTAssertThrowsError(try checked { _ = clipByGlobalNorm([a, other.constant(NDArray(1))], clipNorm: 1) })
    }
}
