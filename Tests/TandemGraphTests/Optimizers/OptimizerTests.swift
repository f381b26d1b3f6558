import Foundation
import XCTest
@testable import TandemGraph

/// Optimizer train ops against torch.optim's formulas written out as naive loops, on the
/// quadratic loss sum((w - t)²) / 2 whose gradient is w - t.
final class OptimizerTests: XCTestCase {
    private let start: [Float] = [0.5, -1, 2]
    private let target: [Float] = [1, 1, -1]

    private func train(_ optimizer: TrainingOptimizer, steps: Int) throws -> [[Float]] {
        let g = Graph()
        let w = g.variable(NDArray(shape: [3], scalars: start), name: "w")
        let t = g.placeholder(shape: [3], name: "t")
        let diff = w - t
        let loss = (diff * diff).sum() * 0.5
        let trainOp = optimizer.minimize(loss)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        var history: [[Float]] = []
        for _ in 0..<steps {
            try session.run(trainOp, feed: [t: NDArray(shape: [3], scalars: target)])
            history.append(try session.value(of: w).scalars)
        }
        return history
    }

    func testGradientDescent() throws {
        let history = try train(GradientDescentOptimizer(learningRate: 0.1), steps: 3)
        var w = start
        for step in 0..<3 {
            for i in 0..<3 { w[i] -= 0.1 * (w[i] - target[i]) }
            assertClose(history[step], w, tolerance: 1e-6)
        }
    }

    func testMomentumMatchesTorchSGD() throws {
        let history = try train(MomentumOptimizer(learningRate: 0.1, momentum: 0.9), steps: 4)
        var w = start
        var buffer = [Float](repeating: 0, count: 3)
        for step in 0..<4 {
            for i in 0..<3 {
                let grad = w[i] - target[i]
                buffer[i] = step == 0 ? grad : 0.9 * buffer[i] + grad
                w[i] -= 0.1 * buffer[i]
            }
            assertClose(history[step], w, tolerance: 1e-6)
        }
    }

    func testAdamMatchesTorchAdam() throws {
        let history = try train(AdamOptimizer(learningRate: 0.05), steps: 4)
        var w = start.map(Double.init)
        var m = [Double](repeating: 0, count: 3), v = [Double](repeating: 0, count: 3)
        for step in 1...4 {
            for i in 0..<3 {
                let grad = w[i] - Double(target[i])
                m[i] = 0.9 * m[i] + 0.1 * grad
                v[i] = 0.999 * v[i] + 0.001 * grad * grad
                let mHat = m[i] / (1 - Foundation.pow(0.9, Double(step)))
                let vHat = v[i] / (1 - Foundation.pow(0.999, Double(step)))
                w[i] -= 0.05 * mHat / (vHat.squareRoot() + 1e-8)
            }
            assertClose(history[step - 1], w.map(Float.init), tolerance: 1e-5)
        }
    }

    func testComputeAndApplyGradients() throws {
        let g = Graph()
        let w = g.variable(NDArray(shape: [2], scalars: [1, 2]), name: "w")
        let frozen = g.variable(NDArray(shape: [2], scalars: [3, 4]), name: "frozen", trainable: false)
        let loss = (w * frozen).sum()
        let optimizer = GradientDescentOptimizer(learningRate: 1)
        let pairs = optimizer.computeGradients(loss)
        XCTAssertEqual(pairs.map(\.variable), [w])
        let trainOp = optimizer.applyGradients(pairs)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        try session.run(trainOp)
        XCTAssertEqual(try session.value(of: w).scalars, [-2, -2])
        XCTAssertEqual(try session.value(of: frozen).scalars, [3, 4])
    }

    /// No pairs and no other node to take a graph from: an error inside `checked`, with the line.
    func testApplyingNoGradientsIsAnErrorNamingTheLine() {
        let line = #line + 1
        let message = errorMessage { try checked { _ = GradientDescentOptimizer(learningRate: 1).applyGradients([]) } }
        XCTAssertTrue(message?.contains("applyGradients: no (gradient, variable) pairs") ?? false, message ?? "no error")
        XCTAssertTrue(message?.contains("OptimizerTests.swift:\(line)") ?? false, message ?? "no error")
    }

    func testTrainOpOnUninitializedVariableThrows() {
        let g = Graph()
        let w = g.variable(NDArray(ones: [2]), name: "w")
        let trainOp = GradientDescentOptimizer(learningRate: 1).minimize((w * w).sum())
        let message = errorMessage { try Session(graph: g).run(trainOp) }
        XCTAssertTrue(message?.contains("'w'") ?? false, message ?? "no error")
    }

    func testSteadyStateTrainingAllocatesLittle() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 8], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let w1 = g.variable(Initializer.kaimingUniform([16, 8]), name: "w1")
        let b1 = g.variable(NDArray(zeros: [16]), name: "b1")
        let w2 = g.variable(Initializer.kaimingUniform([4, 16]), name: "w2")
        let b2 = g.variable(NDArray(zeros: [4]), name: "b2")
        let h = linear(x, weight: w1, bias: b1).relu()
        let loss = crossEntropy(linear(h, weight: w2, bias: b2), y)
        let trainOp = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let feed = [x: NDArray(shape: [5, 8], scalars: testValues(40)), y: NDArray(shape: [5], scalars: [0, 1, 2, 3, 0])]
        var losses: [Float] = []
        for _ in 0..<3 { losses.append(try session.run([loss, trainOp], feed: feed)[0].scalar) }
        let before = MemoryStats.allocationCount
        for _ in 0..<10 { losses.append(try session.run([loss, trainOp], feed: feed)[0].scalar) }
        let perStep = Double(MemoryStats.allocationCount - before) / 10
        XCTAssertLessThan(losses.last!, losses.first!)
        // The fetched loss is a fresh buffer each step; the rest comes from the pool.
        XCTAssertLessThanOrEqual(perStep, 4, "allocations per steady-state step")
    }
}
