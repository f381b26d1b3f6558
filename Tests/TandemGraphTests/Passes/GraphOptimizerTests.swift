import XCTest
@testable import TandemGraph

/// Each pass: the optimised graph computes the same values as the unoptimised one, and the
/// pass really changed the plan.
final class GraphOptimizerTests: XCTestCase {
    private func compare(
        _ fetches: [Node], feed: [Node: NDArray], pass: GraphOptimizer.Options, in graph: Graph,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (plain: [Op], optimized: [Op]) {
        let plain = Session(graph: graph, options: .init(optimizer: .none))
        let optimized = Session(graph: graph, options: .init(optimizer: pass))
        if !graph.variables.isEmpty {
            try plain.run(graph.initializeVariables())
            try optimized.run(graph.initializeVariables())
        }
        let a = try plain.run(fetches, feed: feed), b = try optimized.run(fetches, feed: feed)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.shape, y.shape, file: file, line: line)
            assertClose(y.scalars, x.scalars, tolerance: 1e-5, file: file, line: line)
        }
        return (try plain.plannedOps(fetches: fetches, feedKeys: Array(feed.keys)),
                try optimized.plannedOps(fetches: fetches, feedKeys: Array(feed.keys)))
    }

    private func only(_ configure: (inout GraphOptimizer.Options) -> Void) -> GraphOptimizer.Options {
        var options = GraphOptimizer.Options.none
        configure(&options)
        options.pruning = true
        return options
    }

    func testArithmeticSimplification() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let y = -(-(x * g.constant(NDArray(ones: [1])) + g.constant(NDArray(zeros: [1, 1])))) * 1 + 0
        let z = y - g.constant(NDArray(zeros: [3]))
        let (plain, optimized) = try compare(
            [z], feed: [x: NDArray(shape: [2, 3], scalars: testValues(6))], pass: only { $0.arithmeticSimplification = true }, in: g)
        XCTAssertEqual(plain.count, 7)
        XCTAssertEqual(optimized.count, 0, "\(optimized)")
        // A constant that broadcasts (changes the shape) must stay.
        let h = Graph()
        let v = h.placeholder(shape: [3], name: "v")
        let w = v * h.constant(NDArray(ones: [2, 1]))
        let (_, kept) = try compare([w], feed: [v: NDArray(ones: [3])], pass: only { $0.arithmeticSimplification = true }, in: h)
        XCTAssertEqual(kept, [.mul])
    }

    func testConstantFolding() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2, 2], name: "x")
        let a = g.constant(NDArray(shape: [2, 2], scalars: [1, 2, 3, 4]))
        let b = g.constant(NDArray(shape: [2, 2], scalars: [0.5, 0, 0, 0.5]))
        let y = x + a.matmul(b).exp().transpose(0, 1)
        let noise = dropout(a, p: 0.5)
        let (plain, optimized) = try compare(
            [y], feed: [x: NDArray(ones: [2, 2])], pass: only { $0.constantFolding = true }, in: g)
        XCTAssertEqual(plain, [.matmul, .exp, .transpose(0, 1), .add])
        XCTAssertEqual(optimized, [.add])
        // A dropout mask is stateful: never folded.
        let session = Session(graph: g)
        XCTAssertTrue(try session.plannedOps(fetches: [noise]).contains(.bernoulliMask(p: 0.5)))
    }

    func testCommonSubexpressionElimination() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let y = x.exp().sum(dim: 1) + x.exp().sum(dim: 1)
        let masks = dropout(x, p: 0.5) - dropout(x, p: 0.5)
        let (plain, optimized) = try compare(
            [y], feed: [x: NDArray(shape: [2, 3], scalars: testValues(6))], pass: only { $0.commonSubexpressionElimination = true }, in: g)
        XCTAssertEqual(plain.count, 5)
        XCTAssertEqual(optimized.count, 3)
        // Two dropout masks must stay two.
        let ops = try Session(graph: g).plannedOps(fetches: [masks], feedKeys: [x])
        XCTAssertEqual(ops.filter { $0 == .bernoulliMask(p: 0.5) }.count, 2)
    }

    func testPruningRemovesDeadNodesAfterOtherPasses() throws {
        let g = Graph()
        let x = g.placeholder(shape: [3], name: "x")
        let y = x.exp() + x.exp()
        var cseOnly = GraphOptimizer.Options.none
        cseOnly.commonSubexpressionElimination = true
        var cseAndPruning = cseOnly
        cseAndPruning.pruning = true
        let feed = [x: NDArray(shape: [3], scalars: [1, 2, 3])]
        let unpruned = Session(graph: g, options: .init(optimizer: cseOnly))
        let pruned = Session(graph: g, options: .init(optimizer: cseAndPruning))
        XCTAssertEqual(try unpruned.run(y, feed: feed), try pruned.run(y, feed: feed))
        XCTAssertEqual(try unpruned.plannedOps(fetches: [y], feedKeys: [x]).count, 3)
        XCTAssertEqual(try pruned.plannedOps(fetches: [y], feedKeys: [x]).count, 2)
    }

    func testLinearFusionInATrainingGraph() throws {
        // A Keras-style dense layer: matmul + bias + relu, with its backward graph.
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let labels = g.labelsPlaceholder(name: "y")
        let w1 = g.variable(NDArray(shape: [4, 5], scalars: testValues(20, seed: 3)), name: "w1")
        let b1 = g.variable(NDArray(shape: [5], scalars: testValues(5, seed: 4)), name: "b1")
        let w2 = g.variable(NDArray(shape: [5, 3], scalars: testValues(15, seed: 5)), name: "w2")
        let b2 = g.variable(NDArray(shape: [3], scalars: testValues(3, seed: 6)), name: "b2")
        let h = (x.matmul(w1) + b1).relu()
        let logits = h.matmul(w2) + b2
        let loss = crossEntropy(logits, labels)
        let grads = g.gradients(of: loss, with: [w1, b1, w2, b2])
        let feed = [x: NDArray(shape: [6, 4], scalars: testValues(24, seed: 7)), labels: NDArray(shape: [6], scalars: [0, 1, 2, 0, 1, 2])]
        let (plain, optimized) = try compare([loss] + grads, feed: feed, pass: only { $0.fusion = true }, in: g)
        XCTAssertFalse(plain.contains { if case .linear = $0 { return true } else { return false } })
        XCTAssertTrue(optimized.contains(.linear(transposedWeight: false, activation: .relu)), "\(optimized)")
        XCTAssertTrue(optimized.contains(.linear(transposedWeight: false, activation: .identity)), "\(optimized)")
        XCTAssertLessThan(optimized.count, plain.count)
    }

    func testLinearActivationFusionOfPyTorchStyleLayers() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let w = g.variable(NDArray(shape: [3, 4], scalars: testValues(12, seed: 8)), name: "w")
        let b = g.variable(NDArray(shape: [3], scalars: testValues(3, seed: 9)), name: "b")
        let y = linear(x, weight: w, bias: b).tanh()
        let loss = (y * y).sum()
        let grads = g.gradients(of: loss, with: [w, b])
        let (_, optimized) = try compare(
            [loss] + grads, feed: [x: NDArray(shape: [2, 4], scalars: testValues(8))], pass: only { $0.fusion = true }, in: g)
        XCTAssertTrue(optimized.contains(.linear(transposedWeight: true, activation: .tanh)), "\(optimized)")
    }

    func testElementwiseChainFusion() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let y = (x.exp() * 2 + 1).log().sqrt()
        let (plain, optimized) = try compare(
            [y], feed: [x: NDArray(shape: [2, 3], scalars: testValues(6))], pass: only { $0.fusion = true }, in: g)
        XCTAssertEqual(plain.count, 5)
        XCTAssertEqual(optimized, [.fusedElementwise([.exp, .mulScalar(2), .addScalar(1), .log, .sqrt])])
        // A fetched intermediate is not fused away.
        let mid = x.exp()
        let z = mid.sqrt()
        let (_, kept) = try compare([mid, z], feed: [x: NDArray(ones: [1, 3])], pass: only { $0.fusion = true }, in: g)
        XCTAssertEqual(kept, [.exp, .sqrt])
    }

    func testFusionAfterCSEOfADuplicatedLayer() throws {
        // The same matmul + bias + relu written twice: CSE merges the copies, and the leftover
        // duplicate must not count as a second reader that blocks fusion.
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let w = g.variable(NDArray(shape: [4, 3], scalars: testValues(12, seed: 3)), name: "w")
        let b = g.variable(NDArray(shape: [3], scalars: testValues(3, seed: 4)), name: "b")
        let y = (x.matmul(w) + b).relu() + (x.matmul(w) + b).relu()
        let loss = (y * y).sum()
        let grads = g.gradients(of: loss, with: [w, b])
        let feed = [x: NDArray(shape: [5, 4], scalars: testValues(20, seed: 7))]
        for fetches in [[y], [loss] + grads] {
            let (_, optimized) = try compare(fetches, feed: feed, pass: .all, in: g)
            XCTAssertEqual(optimized.filter { $0 == .linear(transposedWeight: false, activation: .relu) }.count, 1, "\(optimized)")
            XCTAssertFalse(optimized.contains(.relu), "\(optimized)")
            XCTAssertEqual(optimized.filter { $0 == .matmul }.count, fetches.count == 1 ? 0 : 1, "only the weight gradient's matmul: \(optimized)")
        }
    }

    func testScalarConstantsBecomeScalarOpsThatJoinElementwiseChains() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let scale = g.constant(NDArray(2)) * g.constant(NDArray(3))  // folds to a rank-0 constant
        let shift = g.constant(NDArray(shape: [1], scalars: [0.5]))
        let y = ((scale * x.exp() - shift) * g.constant(NDArray(shape: [1, 1], scalars: [4])) + shift).sqrt()
        let (plain, optimized) = try compare(
            [y], feed: [x: NDArray(shape: [2, 3], scalars: testValues(6))], pass: only { $0.constantFolding = true; $0.fusion = true }, in: g)
        XCTAssertEqual(plain.count, 7)
        XCTAssertEqual(optimized, [.fusedElementwise([.exp, .mulScalar(6), .addScalar(-0.5), .mulScalar(4), .addScalar(0.5), .sqrt])])
        // A constant that broadcasts x to a larger shape stays a binary op.
        let z = x * g.constant(NDArray(ones: [1, 1, 1]))
        let (_, kept) = try compare([z], feed: [x: NDArray(ones: [2, 3])], pass: only { $0.constantFolding = true }, in: g)
        XCTAssertEqual(kept, [.mul])
    }

    func testAllPassesTogetherOnATrainingStep() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 4], name: "x")
        let w = g.variable(NDArray(shape: [4, 2], scalars: testValues(8, seed: 2)), name: "w")
        let b = g.variable(NDArray(zeros: [2]), name: "b")
        let loss = mseLoss((x.matmul(w) + b).sigmoid(), g.constant(NDArray(ones: [1, 2])) * 0.5)
        let trainOp = MomentumOptimizer(learningRate: 0.5, momentum: 0.9).minimize(loss)
        let feed = [x: NDArray(shape: [3, 4], scalars: testValues(12, seed: 4))]
        let plain = Session(graph: g, options: .init(optimizer: .none))
        let optimized = Session(graph: g)
        try plain.run(g.initializeVariables())
        try optimized.run(g.initializeVariables())
        for _ in 0..<5 {
            let a = try plain.run([loss, trainOp], feed: feed)[0]
            let c = try optimized.run([loss, trainOp], feed: feed)[0]
            assertClose(c.scalars, a.scalars, tolerance: 1e-5)
        }
        assertClose(try optimized.value(of: w).scalars, try plain.value(of: w).scalars, tolerance: 1e-5)
    }
}
