import Foundation
import TandemEager
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// tf.train.MomentumOptimizer, plain and Nesterov, with constant and decayed learning rates and a
/// global step, against values recorded from TF1 (tf.compat.v1 graph mode,
/// scripts/pytorch/record_optimizer_reference.py); and against eager `SGD(nesterov:)`, whose
/// update TF1's equals (dampening 0, no weight decay).
final class MomentumOptimizerTests: XCTestCase {
    /// A graph with the recorded parameters as variables `w0`, `w1` and their gradients fed.
    private struct Setup {
        let graph = Graph()
        let variables: [Node]
        let gradients: [Node]
        let step: Node

        init() {
            variables = zip(PyTorchOptimizerReference.parameterShapes, PyTorchOptimizerReference.initialParameters)
                .enumerated().map { [graph] i, pair in graph.variable(NDArray(shape: pair.0, scalars: pair.1), name: "w\(i)") }
            gradients = PyTorchOptimizerReference.parameterShapes.enumerated().map { [graph] i, shape in
                graph.placeholder(shape: shape.map(Optional.some), name: "g\(i)")
            }
            step = graph.globalStep()
        }

        var pairs: [(gradient: Node, variable: Node)] { zip(gradients, variables).map { (gradient: $0.0, variable: $0.1) } }

        func feed(_ step: [[Float]]) -> [Node: NDArray] {
            var feed: [Node: NDArray] = [:]
            for (k, values) in step.enumerated() {
                feed[gradients[k]] = NDArray(shape: PyTorchOptimizerReference.parameterShapes[k], scalars: values)
            }
            return feed
        }
    }

    private func optimizer(_ name: String, _ setup: Setup) -> MomentumOptimizer {
        switch name {
        case "momentum": return MomentumOptimizer(learningRate: 0.1, momentum: 0.9)
        case "momentum_nesterov": return MomentumOptimizer(learningRate: 0.1, momentum: 0.9, useNesterov: true)
        case "momentum_nesterov_exponential_decay":
            let rate = exponentialDecay(learningRate: 0.1, globalStep: setup.step, decaySteps: 2, decayRate: 0.5, staircase: true)
            return MomentumOptimizer(learningRate: rate, momentum: 0.9, useNesterov: true)
        case "momentum_cosine_decay":
            return MomentumOptimizer(
                learningRate: cosineDecay(learningRate: 0.1, globalStep: setup.step, decaySteps: 4, alpha: 0.2), momentum: 0.8)
        default: fatalError("no optimizer for \(name)")
        }
    }

    func testMatchesTF1MomentumOptimizer() throws {
        for run in TF1OptimizerReference.momentumRuns {
            for passes in [GraphOptimizer.Options.all, .none] {
                let setup = Setup()
                let train = optimizer(run.name, setup).applyGradients(setup.pairs, globalStep: setup.step)
                let session = Session(graph: setup.graph, options: .init(optimizer: passes))
                try session.run(setup.graph.initializeVariables())
                for (step, gradients) in TF1OptimizerReference.gradients.enumerated() {
                    try session.run(train, feed: setup.feed(gradients))
                    for (k, variable) in setup.variables.enumerated() {
                        assertClose(try session.value(of: variable).scalars, run.parameters[step][k], tolerance: 1e-6, "\(run.name) step \(step) w\(k)")
                    }
                }
                XCTAssertEqual(try session.value(of: setup.step).scalar, Float(run.globalStep), run.name)
                let slots = try session.optimizerSlots(of: train)
                for (k, accumulator) in run.accumulators.enumerated() {
                    assertClose(slots["w\(k)/momentum"]?.scalars ?? [], accumulator, tolerance: 1e-6, "\(run.name) accumulator \(k)")
                }
            }
        }
    }

    /// The same MLP from the same weights: eager SGD with Nesterov momentum and the graph's
    /// MomentumOptimizer(useNesterov:) give the same losses and weights.
    func testNesterovMatchesEagerSGD() throws {
        manualSeed(11)
        let w1 = Initializer.kaimingUniform([8, 6]), b1 = Initializer.biasUniform(8, fanIn: 6)
        let w2 = Initializer.kaimingUniform([3, 8]), b2 = Initializer.biasUniform(3, fanIn: 8)
        let batch = NDArray(shape: [5, 6], scalars: testValues(30, seed: 2))
        let labels = [0, 2, 1, 1, 0]

        let eagerParameters = [w1, b1, w2, b2].map { Tensor($0, requiresGrad: true) }
        let sgd = SGD(eagerParameters, lr: 0.1, momentum: 0.9, nesterov: true)
        var eagerLosses: [Float] = []
        for _ in 0..<6 {
            sgd.zeroGrad()
            let h = linear(Tensor(batch), weight: eagerParameters[0], bias: eagerParameters[1]).relu()
            let loss = crossEntropy(linear(h, weight: eagerParameters[2], bias: eagerParameters[3]), Tensor(labels: labels))
            loss.backward()
            sgd.step()
            eagerLosses.append(loss.item())
        }

        let g = Graph()
        let x = g.placeholder(shape: [nil, 6], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let vs = [w1, b1, w2, b2].map { g.variable($0) }
        let h = linear(x, weight: vs[0], bias: vs[1]).relu()
        let loss = crossEntropy(linear(h, weight: vs[2], bias: vs[3]), y)
        let train = MomentumOptimizer(learningRate: 0.1, momentum: 0.9, useNesterov: true).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let feed = [x: batch, y: NDArray(shape: [5], scalars: labels.map(Float.init))]
        let graphLosses = try (0..<6).map { _ in try session.run([loss, train], feed: feed)[0].scalar }
        assertClose(graphLosses, eagerLosses, tolerance: 1e-6)
        for (variable, parameter) in zip(vs, eagerParameters) {
            assertClose(try session.value(of: variable).scalars, parameter.scalars, tolerance: 1e-6)
        }
    }

    func testAMomentumRateNodeMustBeRankZero() {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "w")
        let rate = g.placeholder(shape: [2], name: "rate")
        var message = ""
        do {
            try checked { _ = MomentumOptimizer(learningRate: rate, momentum: 0.9).minimize((w * w).sum()) }
        } catch {
            message = "\(error)"
        }
        XCTAssertTrue(message.contains("learning rate 'rate' must be a rank-0 node"), message)
    }
}
