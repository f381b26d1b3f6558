import TandemEager
import XCTest
@testable import TandemGraph

/// The eager `BatchNorm2d` module and the graph's `batchNorm` (with its update ops run) give the
/// same outputs and running statistics on the same inputs, in training and in evaluation.
final class BatchNormParityTests: XCTestCase {
    func testEagerModuleAndGraphBatchNormAgree() throws {
        let shape = [3, 2, 2, 2]
        let weight: [Float] = [1.2, -0.7], bias: [Float] = [0.3, -0.1]
        let batches = (0..<3).map { NDArray(shape: shape, scalars: testValues(24, seed: UInt64(10 + $0), low: -2, high: 3)) }

        let module = BatchNorm2d(2, momentum: 0.2)
        module.weight!.array = NDArray(shape: [2], scalars: weight)
        module.bias!.array = NDArray(shape: [2], scalars: bias)

        let g = Graph()
        let x = g.placeholder(shape: [nil, 2, 2, 2], name: "x")
        let mean = g.variable(NDArray(zeros: [2]), name: "running_mean", trainable: false)
        let variance = g.variable(NDArray(ones: [2]), name: "running_var", trainable: false)
        let w = g.variable(NDArray(shape: [2], scalars: weight), name: "weight")
        let b = g.variable(NDArray(shape: [2], scalars: bias), name: "bias")
        let trainOutput = batchNorm(x, runningMean: mean, runningVar: variance, weight: w, bias: b, training: true, momentum: 0.2)
        let evalOutput = batchNorm(x, runningMean: mean, runningVar: variance, weight: w, bias: b, training: false)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())

        for (step, batch) in batches.enumerated() {
            let eager = module(Tensor(batch)).scalars
            let graph = try session.run([trainOutput] + g.updateOps, feed: [x: batch])[0].scalars
            assertClose(eager, graph, tolerance: 1e-5, "training step \(step)")
            assertClose(module.runningMean.scalars, try session.value(of: mean).scalars, tolerance: 1e-6, "running_mean \(step)")
            assertClose(module.runningVar.scalars, try session.value(of: variance).scalars, tolerance: 1e-6, "running_var \(step)")
        }
        module.eval()
        let probe = NDArray(shape: shape, scalars: testValues(24, seed: 20))
        assertClose(module(Tensor(probe)).scalars, try session.run(evalOutput, feed: [x: probe]).scalars, tolerance: 1e-5, "eval")
    }
}
