import Foundation
import XCTest
@testable import TandemGraph

final class GraphSerializationTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-graph-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A small trained model: returns the saved file and the expected output for `input`.
    private func saveTrainedModel(_ input: NDArray) throws -> (URL, NDArray) {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let w = g.variable(NDArray(shape: [3, 2], scalars: testValues(6, seed: 3)), name: "w")
        let b = g.variable(NDArray(zeros: [2]), name: "b")
        let logits = g.print((x.matmul(w) + b).tanh(), message: "logits: ")
        let probabilities = logits.softmax(dim: 1, line: 1)
        _ = g.withNameScope("out") { g.group([probabilities], name: "done") }
        let train = AdamOptimizer(learningRate: 0.1).minimize(crossEntropy(logits, y))
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        for _ in 0..<3 {
            try session.run(train, feed: [x: NDArray(shape: [2, 3], scalars: [1, 0, 0, 0, 1, 0]), y: NDArray(shape: [2], scalars: [0, 1])])
        }
        let url = directory.appendingPathComponent("model.tgraph")
        try g.save(to: url, session: session)
        return (url, try session.run(probabilities, feed: [x: input]))
    }

    func testRoundTripRunsWithoutTheBuildingCode() throws {
        let input = NDArray(shape: [4, 3], scalars: testValues(12, seed: 9))
        let (url, expected) = try saveTrainedModel(input)
        let loaded = try Graph.load(from: url)
        let probabilities = loaded.graph.nodes.first { $0.op == .softmax(dim: 1) }!
        let out = try loaded.run([probabilities.name], feed: ["x": input])
        XCTAssertEqual(out[0], expected)
        // Names, shapes and source lines survive.
        let x = try loaded.node(named: "x")
        XCTAssertEqual(x.shape, [nil, 3])
        XCTAssertEqual(probabilities.location?.line, 1)
        XCTAssertTrue(probabilities.location?.file.hasSuffix("GraphSerializationTests.swift") ?? false)
        XCTAssertNotNil(loaded.graph.node(named: "out/done"))
        // The train op survives too and keeps training.
        let adam = loaded.graph.nodes.first { if case .update = $0.kind { return true } else { return false } }!
        try loaded.session.run(adam, feed: [x: NDArray(shape: [1, 3], scalars: [1, 0, 0]), try loaded.node(named: "y"): NDArray(shape: [1], scalars: [0])])
        XCTAssertThrowsError(try loaded.node(named: "nope"))
    }

    /// Clipping, decayed learning rates (a node input of the update) and the global step survive
    /// a save and load: the loaded graph trains on exactly as the original does.
    func testTrainingFunctionsAndGlobalStepRoundTrip() throws {
        func build() -> (Graph, Node, Node) {
            let g = Graph()
            let w = g.variable(NDArray(shape: [3], scalars: [1, -2, 3]), name: "w")
            let loss = g.identity((w * w).sum(), name: "loss")
            let step = g.globalStep()
            let rate = cosineDecay(learningRate: 0.3, globalStep: step, decaySteps: 5, alpha: 0.1)
            let optimizer = MomentumOptimizer(learningRate: rate, momentum: 0.5, useNesterov: true)
            let pairs = optimizer.computeGradients(loss)
            let (clipped, _) = clipByGlobalNorm(pairs.map(\.gradient), clipNorm: 2)
            let train = optimizer.applyGradients([(gradient: clipped[0], variable: w)], globalStep: step, name: "train")
            return (g, loss, train)
        }
        let (g, loss, train) = build()
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        for _ in 0..<2 { try session.run(train) }
        let url = directory.appendingPathComponent("training.tgraph")
        try g.save(to: url, session: session)
        let loaded = try Graph.load(from: url)
        let continued = try (0..<3).map { _ in try loaded.run(["loss", "train"])[0].scalar }
        let expected = try (0..<3).map { _ in try session.run([loss, train])[0].scalar }
        XCTAssertEqual(continued, expected)
        XCTAssertEqual(try loaded.session.value(of: loaded.graph.globalStep()).scalar, 5)
        XCTAssertEqual(loaded.graph.nodes.map(\.kindName), g.nodes.map(\.kindName))
    }

    func testIdentityKeepsItsNameThroughSaveAndLoad() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let w = g.variable(NDArray(shape: [2, 2], scalars: [1, 2, 3, 4]), name: "w")
        _ = g.identity(x.matmul(w), name: "scores")
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let url = directory.appendingPathComponent("identity.tgraph")
        try g.save(to: url, session: session)
        let loaded = try Graph.load(from: url)
        XCTAssertEqual(try loaded.node(named: "scores").kindName, "identity")
        let out = try loaded.run(["scores"], feed: ["x": NDArray(shape: [1, 2], scalars: [1, 1])])
        XCTAssertEqual(out[0].scalars, [4, 6])
    }

    func testAtomicWriteLeavesNoTemporaryFiles() throws {
        let (url, _) = try saveTrainedModel(NDArray(zeros: [1, 3]))
        let g = Graph()
        _ = g.placeholder(shape: [1], name: "p")
        try g.save(to: url)  // overwrite in place
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(files, ["model.tgraph"])
        XCTAssertEqual(try Graph.load(from: url).graph.nodes.count, 1)
    }

    func testTruncatedFileIsAClearError() throws {
        let (url, _) = try saveTrainedModel(NDArray(zeros: [1, 3]))
        let bytes = try Data(contentsOf: url)
        for length in [0, 5, 12, 30, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(length).write(to: url)
            let message = errorMessage { _ = try Graph.load(from: url) }
            XCTAssertNotNil(message, "length \(length)")
            XCTAssertTrue(message!.contains("model.tgraph"), message!)
            XCTAssertTrue(message!.contains("truncated") || message!.contains("magic"), "length \(length): \(message!)")
        }
    }

    func testCorruptFileIsAClearError() throws {
        let (url, _) = try saveTrainedModel(NDArray(zeros: [1, 3]))
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 20] ^= 0xFF  // a weight byte
        try bytes.write(to: url)
        let message = errorMessage { _ = try Graph.load(from: url) }
        XCTAssertTrue(message?.contains("checksum") ?? false, message ?? "no error")
        var notGraph = Data("NOTAGRAPH-----------".utf8)
        notGraph.append(contentsOf: [UInt8](repeating: 0, count: 20))
        try notGraph.write(to: url)
        XCTAssertTrue(errorMessage { _ = try Graph.load(from: url) }?.contains("magic") ?? false)
    }

    func testFutureVersionIsAClearError() throws {
        let (url, _) = try saveTrainedModel(NDArray(zeros: [1, 3]))
        var bytes = try Data(contentsOf: url)
        bytes[8] = 2  // version field, little-endian
        try bytes.write(to: url)
        let message = errorMessage { _ = try Graph.load(from: url) }
        XCTAssertTrue(message?.contains("version 2") ?? false, message ?? "no error")
    }

    func testMissingFileIsAClearError() {
        let url = directory.appendingPathComponent("absent.tgraph")
        XCTAssertTrue(errorMessage { _ = try Graph.load(from: url) }?.contains("absent.tgraph") ?? false)
    }

    /// A graph using every op added in the second round, with its gradients (so their backward
    /// ops too) and batch norm's update ops, runs the same after a save and a load.
    func testAGraphOfEverySecondRoundOpRoundTrips() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let labels = g.labelsPlaceholder(name: "labels")
        let image = g.placeholder(shape: [nil, 2, 4, 4], name: "image")
        let w = g.variable(NDArray(shape: [3], scalars: [0.5, -1, 2]), name: "w")
        let table = g.variable(NDArray(shape: [4, 3], scalars: testValues(12, seed: 4)), name: "table")
        let runningMean = g.variable(NDArray(zeros: [2]), name: "running_mean", trainable: false)
        let runningVar = g.variable(NDArray(ones: [2]), name: "running_var", trainable: false)
        let h = (x * w).gelu().leakyRelu(negativeSlope: 0.1).abs().clamp(min: -2, max: 2)
        let joined = cat([h, stack([h, h], dim: 1).narrow(dim: 1, start: 1, length: 1).squeeze(dim: 1)], dim: 1)  // [?, 6]
        let gathered = joined.indexSelect(dim: 1, index: g.constant(NDArray(shape: [3], scalars: [5, 0, 2])))
        let embedded = embedding(labels, weight: table).permute([1, 0]).unsqueeze(dim: 0).squeeze(dim: 0).transpose(0, 1)
        let mask = gathered.less(embedded) + gathered.greater(embedded) + gathered.equal(embedded)
        let normed = layerNorm(gathered * mask + embedded, normalizedShape: [3], weight: w, bias: nil)
        let pooled = avgPool2d(batchNorm(image, runningMean: runningMean, runningVar: runningVar, weight: nil, bias: nil, training: true),
                               kernelSize: 2, padding: 1)
        let loss = nllLoss(normed.logSoftmax(dim: 1), labels) + binaryCrossEntropyWithLogits(normed, normed.sigmoid())
            + pooled.mean()
        let grads = g.gradients(of: loss, with: [w, table])
        let fetches = [loss] + grads
        let feed: [Node: NDArray] = [
            x: NDArray(shape: [2, 3], scalars: testValues(6, seed: 5)), labels: NDArray(shape: [2], scalars: [1, 2]),
            image: NDArray(shape: [3, 2, 4, 4], scalars: testValues(96, seed: 6)),
        ]
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let expected = try session.run(fetches, feed: feed)
        let url = directory.appendingPathComponent("every-op.tgraph")
        try g.save(to: url, session: session)
        let loaded = try Graph.load(from: url)
        XCTAssertEqual(loaded.graph.nodes.map(\.kindName), g.nodes.map(\.kindName))
        let byName = Dictionary(uniqueKeysWithValues: feed.map { ($0.key.name, $0.value) })
        let values = try loaded.run(fetches.map(\.name) + loaded.graph.updateOps.map(\.name), feed: byName)
        for (value, want) in zip(values, expected) { XCTAssertEqual(value, want) }
        let kinds = Set(loaded.graph.nodes.compactMap(\.op?.kind))
        for kind: Op.Kind in [.narrow, .permute, .unsqueeze, .squeeze, .indexSelect, .abs, .clamp, .leakyRelu, .gelu, .less,
                              .greater, .equal, .cat, .stack, .embedding, .avgPool2d, .batchStatistics, .batchNorm,
                              .movingAverage, .layerNorm, .nllLoss, .binaryCrossEntropyWithLogits, .catBackward,
                              .indexSelectBackward, .embeddingBackward, .narrowBackward, .layerNormBackward, .clampBackward,
                              .leakyReluBackward, .geluBackward] {
            XCTAssertTrue(kinds.contains(kind), "\(kind) is in the saved graph")
        }
        XCTAssertNotEqual(try loaded.session.value(of: try loaded.node(named: "running_mean")).scalars, [0, 0], "the update ran")
    }
}
