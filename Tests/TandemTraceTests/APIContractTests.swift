import Foundation
import TandemTrace
import XCTest

/// Every name of `API.md`'s second round, spelled exactly as the contract gives it, so a renamed
/// label fails this target's build; each call is also checked for a value or a shape a wrong
/// implementation would not give.
final class APIContractTests: XCTestCase {
    func testOpsOnTensorsAndNodes() throws {
        let x = Tensor(shape: [2, 3], scalars: [-1, 2, -3, 4, -5, 6])
        XCTAssertEqual(x.narrow(dim: 1, start: 1, length: 2).scalars, [2, -3, -5, 6])
        XCTAssertEqual(x.permute([1, 0]).shape, [3, 2])
        XCTAssertEqual(x.unsqueeze(dim: 0).squeeze(dim: 0).shape, [2, 3])
        XCTAssertEqual(x.indexSelect(dim: 0, index: Tensor(shape: [1], scalars: [1])).scalars, [4, -5, 6])
        XCTAssertEqual(x.abs().scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.clamp(min: -2, max: 3).scalars, [-1, 2, -2, 3, -2, 3])
        XCTAssertEqual(x.leakyRelu(negativeSlope: 0.5).scalars[0], -0.5)
        XCTAssertEqual(x.gelu().scalars[5], 6, accuracy: 1e-5)
        XCTAssertEqual(x.less(x.abs()).scalars, [1, 0, 1, 0, 1, 0])
        XCTAssertEqual(x.greater(x.abs()).scalars, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(x.equal(x.abs()).scalars, [0, 1, 0, 1, 0, 1])
        XCTAssertEqual(cat([x, x], dim: 0).shape, [4, 3])
        XCTAssertEqual(stack([x, x], dim: 0).shape, [2, 2, 3])
        let table = Tensor(shape: [3, 2], scalars: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(embedding(Tensor(shape: [2], scalars: [2, 0]), weight: table).scalars, [4, 5, 0, 1])
        let image = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 6])
        XCTAssertEqual(avgPool2d(image, kernelSize: 2, stride: 2).scalars, [3])
        let normalised = batchNorm(
            Tensor(shape: [2, 1], scalars: [1, 3]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
        XCTAssertEqual(normalised.scalars[0], -1, accuracy: 1e-3)
        XCTAssertEqual(layerNorm(x, normalizedShape: [3], weight: nil, bias: nil).shape, [2, 3])
        let logProbs = Tensor(shape: [1, 2], scalars: [log(0.25), log(0.75)])
        XCTAssertEqual(nllLoss(logProbs, Tensor(labels: [1])).item(), -log(0.75), accuracy: 1e-6)
        XCTAssertEqual(
            binaryCrossEntropyWithLogits(Tensor(shape: [1], scalars: [0]), Tensor(shape: [1], scalars: [1])).item(), log(2), accuracy: 1e-6)

        let g = Graph()
        let n = g.constant(NDArray(shape: [2, 3], scalars: [-1, 2, -3, 4, -5, 6]))
        let nodes = [n.narrow(dim: 1, start: 1, length: 2), n.permute([1, 0]), n.abs().clamp(min: 0, max: 5), cat([n, n], dim: 1)]
        let values = try Session(graph: g).run(nodes)
        XCTAssertEqual(values[0].scalars, [2, -3, -5, 6])
        XCTAssertEqual(values[1].shape, [3, 2])
        XCTAssertEqual(values[2].scalars, [1, 2, 3, 4, 5, 5])
        XCTAssertEqual(values[3].shape, [2, 6])
    }

    func testEagerModulesOptimizersAndSchedulers() throws {
        let bn1 = BatchNorm1d(4, eps: 1e-5, momentum: 0.1)
        let bn2 = BatchNorm2d(3, eps: 1e-5, momentum: 0.1)
        XCTAssertEqual(Set(bn2.stateDict().keys), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        bn1.eval()
        XCTAssertFalse(bn1.isTraining)
        bn1.train()
        XCTAssertEqual(LayerNorm([4], eps: 1e-5)(Tensor(zeros: [2, 4])).shape, [2, 4])
        XCTAssertEqual(TandemEager.Embedding(10, 4)(Tensor(shape: [2], scalars: [1, 2])).shape, [2, 4])
        XCTAssertEqual(AvgPool2d(kernelSize: 2, stride: 2)(Tensor(zeros: [1, 1, 4, 4])).shape, [1, 1, 2, 2])
        XCTAssertEqual(LeakyReLU()(Tensor(shape: [1], scalars: [-1])).scalars[0], -0.01, accuracy: 1e-7)
        XCTAssertEqual(GELU()(Tensor(shape: [1], scalars: [0])).scalars, [0])

        let cell = LSTMCell(inputSize: 3, hiddenSize: 5, bias: true)
        let zeros = Tensor(zeros: [2, 5])
        let state = cell(Tensor(zeros: [2, 3]), (h: zeros, c: zeros))
        XCTAssertEqual(state.h.shape, [2, 5])
        XCTAssertEqual(state.c.shape, [2, 5])
        let gru = GRUCell(inputSize: 3, hiddenSize: 5, bias: true)
        XCTAssertEqual(gru(Tensor(zeros: [2, 3]), zeros).shape, [2, 5])
        XCTAssertEqual(Set(gru.stateDict().keys), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
        let lstm = TandemEager.LSTM(inputSize: 3, hiddenSize: 5, batchFirst: true)
        let out = lstm(Tensor(ones: [2, 4, 3]), lengths: [4, 2])
        XCTAssertEqual(out.output.shape, [2, 4, 5])
        XCTAssertEqual(out.h.shape, [1, 2, 5])
        XCTAssertEqual(out.c.shape, [1, 2, 5])
        XCTAssertEqual(Array(out.output.scalars[30..<40]), Array(repeating: 0, count: 10), "zero past the second length")
        XCTAssertTrue(lstm.stateDict().keys.contains("weight_ih_l0"))
        let gruLayer = TandemEager.GRU(inputSize: 3, hiddenSize: 5, batchFirst: true)
        XCTAssertEqual(gruLayer(Tensor(ones: [2, 4, 3]), lengths: nil).output.shape, [2, 4, 5])

        let w = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let adamW = AdamW([w], lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 1e-2)
        let rms = RMSprop([w], lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0)
        (w * w).sum().backward()
        adamW.step()
        rms.step()
        try adamW.loadStateDict(adamW.stateDict())
        try rms.loadStateDict(rms.stateDict())
        let cosine = CosineAnnealingLR(adamW, tMax: 10, etaMin: 0)
        let exponential = ExponentialLR(rms, gamma: 0.5)
        cosine.step()
        exponential.step()
        XCTAssertEqual(rms.lr, 5e-3, accuracy: 1e-9)
        XCTAssertLessThan(adamW.lr, 1e-3)
    }

    func testGraphControlFlowBatchNormAndKerasLayers() throws {
        let g = Graph()
        let x = g.placeholder(shape: [], name: "x")
        let branch = g.cond(x.greater(g.constant(NDArray(0))), then: { [x * 2] }, else: { [x * -1] })
        let loop = g.whileLoop(
            condition: { $0[0].less(g.constant(NDArray(10))) }, body: { [$0[0] * 2] }, loopVariables: [x],
            maximumIterations: 100)
        let training = g.placeholderWithDefault(NDArray(1), shape: [], name: "training")
        let session = Session(graph: g)
        let out = try session.run([branch[0], loop[0], training], feed: [x: NDArray(3)])
        XCTAssertEqual(out.map(\.scalar), [6, 12, 1])
        XCTAssertTrue(g.updateOps.isEmpty)

        let model = TandemGraph.Sequential(
            [TandemGraph.Embedding(inputDim: 10, outputDim: 4), TandemGraph.LSTM(units: 3), BatchNormalization(), Dense(2)])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true))
        XCTAssertEqual(try model.predict(NDArray(shape: [2, 5], scalars: [1, 2, 3, 4, 5, 5, 4, 3, 2, 1])).shape, [2, 2])
        _ = TandemGraph.GRU(units: 3)
    }

    func testTraceONNXAndSummaryWriter() throws {
        let module = TandemEager.Sequential([Linear(4, 3), ReLU()])
        let example = Tensor(ones: [2, 4])
        let traced = try trace(module, example: example)
        XCTAssertFalse(traced.graph.nodes.isEmpty)
        XCTAssertEqual(try traced(example).scalars, module(example).scalars)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("api-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try exportONNX(module, example: example, to: directory.appendingPathComponent("module.onnx"))
        let g = Graph()
        let input = g.placeholder(shape: [nil, 2], name: "input")
        try g.exportONNX(inputs: [input], outputs: [input.relu()], to: directory.appendingPathComponent("graph.onnx"))
        for name in ["module.onnx", "graph.onnx"] {
            let size = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)[.size] as? Int
            XCTAssertGreaterThan(size ?? 0, 0, name)
        }
        let writer = try SummaryWriter(logDir: directory.appendingPathComponent("logs"))
        writer.addScalar("loss", 0.5, step: 1)
        writer.addHistogram("weights", NDArray(shape: [3], scalars: [1, 2, 3]), step: 1)
        writer.flush()
        writer.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("logs").path)
        XCTAssertTrue(files.contains { $0.hasPrefix("events.out.tfevents.") })
    }
}
