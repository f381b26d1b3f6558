import TandemEager
import XCTest
@testable import TandemGraph

/// The graph frontend computes what the eager frontend computes: the same MLP from the same
/// weights, trained step by step with the same optimizer, gives the same losses and weights.
final class EagerParityTests: XCTestCase {
    private struct MLP {
        let weights: [NDArray]
        let biases: [NDArray]
    }

    private func initialMLP(_ sizes: [Int]) -> MLP {
        manualSeed(3)
        var weights: [NDArray] = [], biases: [NDArray] = []
        for i in 0..<(sizes.count - 1) {
            weights.append(Initializer.kaimingUniform([sizes[i + 1], sizes[i]]))
            biases.append(Initializer.biasUniform(sizes[i + 1], fanIn: sizes[i]))
        }
        return MLP(weights: weights, biases: biases)
    }

    private let sizes = [12, 16, 8, 3]
    private let batch = NDArray(shape: [5, 12], scalars: testValues(60, seed: 4))
    private let labels = [0, 2, 1, 1, 0]

    private func eagerTraining(_ mlp: MLP, steps: Int, adam: Bool, momentum: Float = 0.9) -> (losses: [Float], weights: [NDArray]) {
        let ws = mlp.weights.map { Tensor($0, requiresGrad: true) }
        let bs = mlp.biases.map { Tensor($0, requiresGrad: true) }
        let optimizer: TandemEager.Optimizer =
            adam ? Adam(ws + bs, lr: 0.01) : SGD(ws + bs, lr: 0.1, momentum: momentum)
        var losses: [Float] = []
        for _ in 0..<steps {
            optimizer.zeroGrad()
            var h = Tensor(batch)
            for i in ws.indices {
                h = linear(h, weight: ws[i], bias: bs[i])
                if i < ws.count - 1 { h = h.relu() }
            }
            let loss = crossEntropy(h, Tensor(labels: labels))
            losses.append(loss.item())
            loss.backward()
            optimizer.step()
        }
        return (losses, ws.map(\.array))
    }

    private func graphTraining(
        _ mlp: MLP, steps: Int, adam: Bool, momentum: Float = 0.9, passes: GraphOptimizer.Options
    ) throws -> (losses: [Float], weights: [NDArray]) {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 12], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let ws = mlp.weights.enumerated().map { g.variable($0.element, name: "w\($0.offset)") }
        let bs = mlp.biases.enumerated().map { g.variable($0.element, name: "b\($0.offset)") }
        var h = x
        for i in ws.indices {
            h = linear(h, weight: ws[i], bias: bs[i])
            if i < ws.count - 1 { h = h.relu() }
        }
        let loss = crossEntropy(h, y)
        let optimizer: TrainingOptimizer =
            adam ? AdamOptimizer(learningRate: 0.01)
            : momentum == 0 ? GradientDescentOptimizer(learningRate: 0.1) as TrainingOptimizer
            : MomentumOptimizer(learningRate: 0.1, momentum: momentum)
        let train = optimizer.minimize(loss)
        let session = Session(graph: g, options: .init(optimizer: passes))
        try session.run(g.initializeVariables())
        var losses: [Float] = []
        let feed = [x: batch, y: NDArray(shape: [5], scalars: labels.map(Float.init))]
        for _ in 0..<steps { losses.append(try session.run([loss, train], feed: feed)[0].scalar) }
        return (losses, try ws.map { try session.value(of: $0) })
    }

    func testMomentumTrainingMatchesEagerStepForStep() throws {
        let mlp = initialMLP(sizes)
        let eager = eagerTraining(mlp, steps: 5, adam: false)
        for passes in [GraphOptimizer.Options.all, .none] {
            let graph = try graphTraining(mlp, steps: 5, adam: false, passes: passes)
            assertClose(graph.losses, eager.losses, tolerance: 1e-5)
            for (a, b) in zip(graph.weights, eager.weights) { assertClose(a.scalars, b.scalars, tolerance: 1e-5) }
        }
    }

    /// With every pass (the weight-gradient GEMMs fused into the updates) and with none, for
    /// plain SGD (one GEMM into the weight) and momentum (a GEMM into the momentum buffer).
    func testFusedWeightUpdatesMatchEagerStepForStep() throws {
        let mlp = initialMLP(sizes)
        for momentum: Float in [0, 0.9] {
            let eager = eagerTraining(mlp, steps: 6, adam: false, momentum: momentum)
            var unfused = GraphOptimizer.Options.all
            unfused.updateFusion = false
            for passes in [GraphOptimizer.Options.all, unfused] {
                let graph = try graphTraining(mlp, steps: 6, adam: false, momentum: momentum, passes: passes)
                assertClose(graph.losses, eager.losses, tolerance: 1e-5, "momentum \(momentum), \(passes)")
                for (a, b) in zip(graph.weights, eager.weights) { assertClose(a.scalars, b.scalars, tolerance: 1e-5) }
            }
        }
    }

    func testAdamTrainingMatchesEagerStepForStep() throws {
        let mlp = initialMLP(sizes)
        let eager = eagerTraining(mlp, steps: 5, adam: true)
        let graph = try graphTraining(mlp, steps: 5, adam: true, passes: .all)
        assertClose(graph.losses, eager.losses, tolerance: 1e-5)
        for (a, b) in zip(graph.weights, eager.weights) { assertClose(a.scalars, b.scalars, tolerance: 1e-5) }
    }

    /// The memory a training step needs beyond the weights and optimizer state, on a model whose
    /// activations matter (batch 256, four hidden layers): eager's is the step's peak above the
    /// bytes live before it (gradients, saved activations, temporaries); the graph's is the same
    /// plus the planner's buffers, which it holds between steps.
    func testGraphStepMemoryIsBelowEagerOnTheSameModel() throws {
        let sizes = [128, 128, 128, 128, 128, 10]
        let mlp = initialMLP(sizes)
        let input = NDArray(shape: [256, 128], scalars: testValues(256 * 128, seed: 8))
        let target = NDArray(shape: [256], scalars: (0..<256).map { Float($0 % 10) })

        var eagerStep = 0
        do {
            let ws = mlp.weights.map { Tensor(NDArray(shape: $0.shape, scalars: $0.scalars), requiresGrad: true) }
            let bs = mlp.biases.map { Tensor(NDArray(shape: $0.shape, scalars: $0.scalars), requiresGrad: true) }
            let optimizer = SGD(ws + bs, lr: 0.05, momentum: 0.9)
            for _ in 0..<3 {
                optimizer.zeroGrad()
                let before = MemoryStats.liveBytes
                MemoryStats.resetPeak()
                var h = Tensor(input)
                for i in ws.indices {
                    h = linear(h, weight: ws[i], bias: bs[i])
                    if i < ws.count - 1 { h = h.relu() }
                }
                let loss = crossEntropy(h, Tensor(labels: target.scalars.map { Int($0) }))
                loss.backward()
                optimizer.step()
                eagerStep = MemoryStats.peakBytes - before
            }
        }

        let g = Graph()
        let x = g.placeholder(shape: [nil, 128], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let ws = mlp.weights.map { g.variable($0) }
        let bs = mlp.biases.map { g.variable($0) }
        var h = x
        for i in ws.indices {
            h = linear(h, weight: ws[i], bias: bs[i])
            if i < ws.count - 1 { h = h.relu() }
        }
        let loss = crossEntropy(h, y)
        let train = MomentumOptimizer(learningRate: 0.05, momentum: 0.9).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        var graphStep = 0
        for _ in 0..<3 {
            let before = MemoryStats.liveBytes
            MemoryStats.resetPeak()
            try session.run([loss, train], feed: [x: input, y: target])
            let planned = try session.plan(for: [loss, train], fed: [x, y]).plannedBytes
            graphStep = MemoryStats.peakBytes - before + planned
        }
        XCTAssertLessThan(graphStep, eagerStep, "graph step \(graphStep) bytes vs eager \(eagerStep)")
        print("step memory: graph \(graphStep) bytes, eager \(eagerStep) bytes")
    }
    /// SGD with Nesterov momentum, gradient clipping and an exponentially decaying rate, in both
    /// frontends: eager `clipGradNorm` + `ExponentialLR` (stepped every iteration) against the
    /// graph's `clipByGlobalNorm` + `exponentialDecay(decaySteps: 1, staircase: true)` on the
    /// global step. The clipping shares its kernels; the rates differ only in rounding (eager
    /// multiplies the rate by gamma each step, TF1's form computes gamma^step).
    func testClippedNesterovWithDecayMatchesEager() throws {
        let mlp = initialMLP(sizes)
        let ws = mlp.weights.map { Tensor($0, requiresGrad: true) }
        let bs = mlp.biases.map { Tensor($0, requiresGrad: true) }
        let sgd = SGD(ws + bs, lr: 0.2, momentum: 0.9, nesterov: true)
        let scheduler = ExponentialLR(sgd, gamma: 0.8)
        var eagerLosses: [Float] = []
        for _ in 0..<6 {
            sgd.zeroGrad()
            var h = Tensor(batch)
            for i in ws.indices {
                h = linear(h, weight: ws[i], bias: bs[i])
                if i < ws.count - 1 { h = h.relu() }
            }
            let loss = crossEntropy(h, Tensor(labels: labels))
            loss.backward()
            clipGradNorm(ws + bs, maxNorm: 0.5)
            sgd.step()
            scheduler.step()
            eagerLosses.append(loss.item())
        }

        let g = Graph()
        let x = g.placeholder(shape: [nil, 12], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let gws = mlp.weights.map { g.variable($0) }
        let gbs = mlp.biases.map { g.variable($0) }
        var h = x
        for i in gws.indices {
            h = linear(h, weight: gws[i], bias: gbs[i])
            if i < gws.count - 1 { h = h.relu() }
        }
        let loss = crossEntropy(h, y)
        let step = g.globalStep()
        let rate = exponentialDecay(learningRate: 0.2, globalStep: step, decaySteps: 1, decayRate: 0.8, staircase: true)
        let optimizer = MomentumOptimizer(learningRate: rate, momentum: 0.9, useNesterov: true)
        let pairs = optimizer.computeGradients(loss, variables: gws + gbs)
        let (clipped, _) = clipByGlobalNorm(pairs.map(\.gradient), clipNorm: 0.5)
        let train = optimizer.applyGradients(zip(clipped, gws + gbs).map { (gradient: $0.0, variable: $0.1) }, globalStep: step)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let feed = [x: batch, y: NDArray(shape: [5], scalars: labels.map(Float.init))]
        let graphLosses = try (0..<6).map { _ in try session.run([loss, train], feed: feed)[0].scalar }
        assertClose(graphLosses, eagerLosses, tolerance: 1e-6)
        for (variable, tensor) in zip(gws + gbs, ws + bs) {
            assertClose(try session.value(of: variable).scalars, tensor.scalars, tolerance: 1e-6)
        }
        XCTAssertEqual(try session.value(of: step).scalar, 6)
    }
}
