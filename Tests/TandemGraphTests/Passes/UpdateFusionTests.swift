import XCTest
@testable import TandemGraph

/// `UpdateFusion`: an SGD update that computes its weight's gradient GEMM itself trains exactly
/// as the unfused update does, in both weight layouts, and never stores the weight gradient.
final class UpdateFusionTests: XCTestCase {
    private struct Model {
        let graph: Graph
        let x: Node
        let y: Node
        let loss: Node
        let weights: [Node]
        let biases: [Node]
    }

    /// A two-layer MLP 16-12-4: PyTorch's layout (`linear`, weight [out, in], whose gradient is
    /// `gzᵀ · x`) or Keras' (`x.matmul(w) + b`, weight [in, out], whose gradient is
    /// `reduceLike(xᵀ · gz, w)`).
    private func model(kerasLayout: Bool) -> Model {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 16], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let sizes = [16, 12, 4]
        var weights: [Node] = [], biases: [Node] = []
        var h = x
        for i in 0..<2 {
            let shape = kerasLayout ? [sizes[i], sizes[i + 1]] : [sizes[i + 1], sizes[i]]
            let w = g.variable(NDArray(shape: shape, scalars: testValues(sizes[i] * sizes[i + 1], seed: 10 + UInt64(i), low: -0.4, high: 0.4)), name: "w\(i)")
            let b = g.variable(NDArray(shape: [sizes[i + 1]], scalars: testValues(sizes[i + 1], seed: 20 + UInt64(i), low: -0.1, high: 0.1)), name: "b\(i)")
            h = kerasLayout ? h.matmul(w) + b : linear(h, weight: w, bias: b)
            if i == 0 { h = h.relu() }
            weights.append(w)
            biases.append(b)
        }
        return Model(graph: g, x: x, y: y, loss: crossEntropy(h, y), weights: weights, biases: biases)
    }

    private let batch = NDArray(shape: [6, 16], scalars: testValues(96, seed: 5))
    private let labels = NDArray(shape: [6], scalars: [0, 3, 1, 2, 2, 0])

    private func options(updateFusion: Bool) -> Session.Options {
        var passes = GraphOptimizer.Options.all
        passes.updateFusion = updateFusion
        return Session.Options(optimizer: passes)
    }

    /// Trains `steps` steps; returns the losses, the final weights and biases, and the session.
    private func train(
        _ m: Model, _ train: Node, updateFusion: Bool, steps: Int
    ) throws -> (losses: [Float], values: [[Float]], session: Session) {
        let session = Session(graph: m.graph, options: options(updateFusion: updateFusion))
        try session.run(m.graph.initializeVariables())
        var losses: [Float] = []
        for _ in 0..<steps {
            losses.append(try session.run([m.loss, train], feed: [m.x: batch, m.y: labels])[0].scalar)
        }
        return (losses, try (m.weights + m.biases).map { try session.value(of: $0).scalars }, session)
    }

    /// How many updates of the compiled training step compute their gradient product themselves.
    private func fusedUpdateCount(_ session: Session, _ m: Model, _ train: Node) throws -> Int {
        try session.plan(for: [m.loss, train], fed: [m.x, m.y]).program.instructions.filter {
            if case .productUpdate = $0.kind { return true } else { return false }
        }.count
    }

    func testFusedAndUnfusedUpdatesAgreeOverSeveralStepsInBothLayouts() throws {
        for kerasLayout in [false, true] {
            let optimizers: [TrainingOptimizer] = [
                GradientDescentOptimizer(learningRate: 0.2), MomentumOptimizer(learningRate: 0.1, momentum: 0.9),
            ]
            for optimizer in optimizers {
                let m = model(kerasLayout: kerasLayout)
                let op = optimizer.minimize(m.loss)
                let fused = try train(m, op, updateFusion: true, steps: 6)
                let unfused = try train(m, op, updateFusion: false, steps: 6)
                let label = "keras layout \(kerasLayout), \(optimizer.rule)"
                assertClose(fused.losses, unfused.losses, tolerance: 1e-5, label)
                for (a, b) in zip(fused.values, unfused.values) { assertClose(a, b, tolerance: 1e-5, label) }
                XCTAssertGreaterThan(fused.losses[0], fused.losses[5], "training makes progress (\(label))")
                XCTAssertEqual(try fusedUpdateCount(fused.session, m, op), 2, "both weights fused (\(label))")
                XCTAssertEqual(try fusedUpdateCount(unfused.session, m, op), 0, label)
            }
        }
    }

    func testAFactorThatIsAnotherUpdatedVariableIsReadBeforeItsUpdate() throws {
        // p = w1 · w2: w2's gradient is w1ᵀ · g, so the fused update of w2 reads w1, which has its
        // own update. Whatever the order, w2 must see w1's value from before this step.
        let g = Graph()
        let w1 = g.variable(NDArray(shape: [3, 4], scalars: testValues(12, seed: 1)), name: "w1")
        let w2 = g.variable(NDArray(shape: [4, 2], scalars: testValues(8, seed: 2)), name: "w2")
        let p = w1.matmul(w2)
        let loss = (p * p).sum()
        let op = MomentumOptimizer(learningRate: 0.05, momentum: 0.5).minimize(loss)
        var results: [[[Float]]] = []
        for updateFusion in [true, false] {
            let session = Session(graph: g, options: options(updateFusion: updateFusion))
            try session.run(g.initializeVariables())
            var losses: [Float] = []
            for _ in 0..<4 { losses.append(try session.run([loss, op])[0].scalar) }
            results.append([losses, try session.value(of: w1).scalars, try session.value(of: w2).scalars])
        }
        for (a, b) in zip(results[0], results[1]) { assertClose(a, b, tolerance: 1e-5) }
    }

    func testTheWeightGradientIsNeverStored() throws {
        let m = model(kerasLayout: false)
        let op = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize(m.loss)
        let fused = try train(m, op, updateFusion: true, steps: 2).session
        let unfused = try train(m, op, updateFusion: false, steps: 2).session
        /// The shapes of the values the compiled step computes (ops only: not variable reads).
        func computedShapes(_ session: Session) throws -> [[Int]] {
            try session.plan(for: [m.loss, op], fed: [m.x, m.y]).program.instructions.compactMap { $0.op == nil ? nil : $0.shape }
        }
        for weightShape in [[12, 16], [4, 12]] {
            XCTAssertTrue(try computedShapes(unfused).contains(weightShape), "unfused: a gradient of shape \(weightShape)")
            XCTAssertFalse(try computedShapes(fused).contains(weightShape), "fused: no value of shape \(weightShape)")
        }
        let fusedBytes = try fused.plan(for: [m.loss, op], fed: [m.x, m.y]).plannedBytes
        let unfusedBytes = try unfused.plan(for: [m.loss, op], fed: [m.x, m.y]).plannedBytes
        XCTAssertLessThan(fusedBytes, unfusedBytes)
    }

    func testSteadyStateStepAllocatesOnlyTheFetchedLoss() throws {
        let m = model(kerasLayout: false)
        let op = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize(m.loss)
        let session = try train(m, op, updateFusion: true, steps: 3).session
        let before = MemoryStats.allocationCount
        try session.run([m.loss, op], feed: [m.x: batch, m.y: labels])
        XCTAssertEqual(MemoryStats.allocationCount - before, 1, "one buffer: the fetched loss the caller keeps")
    }

    func testAdamAndFetchedGradientsKeepTheUnfusedPath() throws {
        let m = model(kerasLayout: false)
        let adam = AdamOptimizer(learningRate: 0.01).minimize(m.loss)
        let adamSession = try train(m, adam, updateFusion: true, steps: 1).session
        XCTAssertEqual(try fusedUpdateCount(adamSession, m, adam), 0, "Adam reads the gradient twice: never fused")

        // A gradient the caller fetches must be computed and returned, so its update stays unfused.
        let n = model(kerasLayout: false)
        let pairs = GradientDescentOptimizer(learningRate: 0.2).computeGradients(n.loss)
        let op = GradientDescentOptimizer(learningRate: 0.2).applyGradients(pairs)
        let session = Session(graph: n.graph)
        try session.run(n.graph.initializeVariables())
        let w0 = pairs.firstIndex { $0.variable === n.weights[0] }!
        let out = try session.run([pairs[w0].gradient, op], feed: [n.x: batch, n.y: labels])
        XCTAssertEqual(out[0].shape, [12, 16])
        let fused = try session.plan(for: [pairs[w0].gradient, op], fed: [n.x, n.y]).program.instructions.compactMap { instruction -> Int? in
            if case .productUpdate(let update, _, let part) = instruction.kind { return update.variables[part] }
            return nil
        }
        guard case .variable(let index) = n.weights[0].kind else { return XCTFail("not a variable") }
        XCTAssertFalse(fused.contains(index), "the fetched gradient's update is not fused")
        XCTAssertEqual(fused.count, 1, "the other weight still is")
    }
}
