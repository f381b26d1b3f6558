import XCTest
import TandemProtos
@testable import TandemTrace

/// Values without a generator: a smooth, sign-changing sequence.
func wave(_ shape: [Int], phase: Float = 0, scale: Float = 1) -> NDArray {
    let n = shape.reduce(1, *)
    return NDArray(shape: shape, scalars: (0..<n).map { scale * Foundation.sin(Float($0) * 0.7 + phase) })
}

func temporaryURL(_ name: String) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-onnx-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name)
}

func maxAbsDiff(_ a: NDArray, _ b: NDArray) -> Float {
    zip(a.contiguous().scalars, b.contiguous().scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}

final class GraphExportONNXTests: XCTestCase {
    /// Exports, imports and runs `outputs`, and checks the imported graph computes what the original does.
    private func assertRoundTrip(
        _ g: Graph, inputs: [Node], outputs: [Node], feed: [NDArray], tolerance: Float = 1e-5,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let original = try session.run(outputs, feed: Dictionary(uniqueKeysWithValues: zip(inputs, feed)))
        let url = temporaryURL("model.onnx")
        try g.exportONNX(inputs: inputs, outputs: outputs, to: url)
        let model = try Graph.importONNX(from: url)
        XCTAssertEqual(model.inputs.map(\.name), inputs.map(\.name), file: file, line: line)
        XCTAssertEqual(model.producer, "Tandem", file: file, line: line)
        XCTAssertEqual(model.opset, 17, file: file, line: line)
        let imported = try Session(graph: model.graph).run(
            model.outputs, feed: Dictionary(uniqueKeysWithValues: zip(model.inputs, feed)))
        for (a, b) in zip(original, imported) {
            XCTAssertEqual(a.shape, b.shape, file: file, line: line)
            XCTAssertLessThanOrEqual(maxAbsDiff(a, b), tolerance, file: file, line: line)
        }
        // The directory holds the model and nothing else: the temporary file was renamed.
        let names = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertEqual(names, ["model.onnx"], file: file, line: line)
    }

    func testMLPWithElementwiseOpsRoundTrips() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 6], name: "x")
        let w1 = g.variable(wave([8, 6], scale: 0.4), name: "fc1/weight")
        let b1 = g.variable(wave([8], phase: 1, scale: 0.1), name: "fc1/bias")
        let w2 = g.constant(wave([8, 4], phase: 2, scale: 0.3), name: "w2")
        let h = linear(x, weight: w1, bias: b1, activation: .relu)
        let z = h.matmul(w2) + g.constant(wave([4], phase: 3), name: "b2")
        let parts = [
            z.sigmoid(), z.tanh(), z.gelu(), z.leakyRelu(negativeSlope: 0.2), z.softmax(dim: 1), z.logSoftmax(dim: -1),
            z.clamp(min: -0.5, max: 0.5), (z * 2 + 1) / 3 - z, z.abs().sqrt(), (z.abs() + 1).log(), z.exp(),
            z.abs().pow(1.5), z.sum(dim: 1, keepDim: true) + z, z.mean(dim: 0, keepDim: true) + z,
            z.max(dim: 1, keepDim: true) - z, z.sign(), z.less(h.narrow(dim: 1, start: 2, length: 4)),
            z.greater(z.transpose(0, 1).transpose(0, 1)), z.equal(z),
        ]
        let joined = cat(parts, dim: 1)
        let stacked = stack([z, z * 0.5], dim: 1).reshape([-1, 8]).flatten(startDim: 1)
        let summary = z.argmax(dim: 1).unsqueeze(dim: 1).squeeze(dim: 1)
        let total = z.sum()
        try assertRoundTrip(
            g, inputs: [x], outputs: [joined, stacked, summary, total, z.permute([1, 0])], feed: [wave([5, 6], phase: 0.3)])
    }

    func testCNNWithBatchNormInEvalRoundTrips() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2, 8, 8], name: "image")
        let w = g.variable(wave([3, 2, 3, 3], scale: 0.3), name: "conv/weight")
        let b = g.variable(wave([3], phase: 1, scale: 0.1), name: "conv/bias")
        let mean = g.constant(wave([3], phase: 2, scale: 0.2), name: "bn/running_mean")
        let variance = g.constant(NDArray(shape: [3], scalars: [0.5, 1, 2]), name: "bn/running_var")
        let gamma = g.variable(wave([3], phase: 3), name: "bn/weight")
        let beta = g.variable(wave([3], phase: 4), name: "bn/bias")
        var y = conv2d(x, weight: w, bias: b, stride: 1, padding: 1)
        y = batchNorm(y, runningMean: mean, runningVar: variance, weight: gamma, bias: beta, training: false).relu()
        let pooled = maxPool2d(y, kernelSize: 2)
        let averaged = avgPool2d(y, kernelSize: 2, stride: 2, padding: 1)
        let normed = layerNorm(pooled, normalizedShape: [4, 4], weight: g.constant(wave([4, 4])), bias: g.constant(wave([4, 4], phase: 1)))
        let flat = pooled.flatten(startDim: 1)
        let w2 = g.variable(wave([5, 48], scale: 0.1), name: "fc/weight")
        let logits = linear(flat, weight: w2, bias: g.constant(wave([5])), activation: .tanh)
        try assertRoundTrip(
            g, inputs: [x], outputs: [logits, averaged, normed, flat.flatten(startDim: 0)], feed: [wave([2, 2, 8, 8], phase: 0.5)])
    }

    func testGatherOpsRoundTrip() throws {
        let g = Graph()
        let tokens = g.placeholder(shape: [nil], name: "tokens")
        let table = g.variable(wave([10, 3]), name: "embedding/weight")
        let e = embedding(tokens, weight: table)
        let picked = e.indexSelect(dim: 1, index: g.constant(NDArray(shape: [2], scalars: [2, 0])))
        try assertRoundTrip(g, inputs: [tokens], outputs: [e, picked], feed: [NDArray(shape: [4], scalars: [3, 0, 9, 3])])
    }

    func testTheFileIsOpset17WithGemmAndNamedInitializers() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let w = g.variable(NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), name: "fc/weight")
        let b = g.variable(NDArray(shape: [2], scalars: [0.5, -0.5]), name: "fc/bias")
        let y = linear(x, weight: w, bias: b)
        let url = temporaryURL("gemm.onnx")
        try g.exportONNX(inputs: [x], outputs: [y], to: url)
        let model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: url))
        XCTAssertEqual(model.irVersion, 8)
        XCTAssertEqual(model.opsetImport.map(\.version), [17])
        XCTAssertEqual(model.graph.node.map(\.opType), ["Gemm"])
        XCTAssertEqual(model.graph.node[0].attribute.first { $0.name == "transB" }?.i, 1)
        XCTAssertEqual(Set(model.graph.initializer.map(\.name)), ["fc/weight", "fc/bias"])
        XCTAssertEqual(model.graph.input[0].type.tensorType.shape.dim.map(\.dimParam), ["batch", ""])
        XCTAssertEqual(model.graph.input[0].type.tensorType.shape.dim[1].dimValue, 3)

        // Closed form through the imported graph: x w^T + b.
        let imported = try Graph.importONNX(from: url)
        let out = try Session(graph: imported.graph).run(
            imported.outputs[0], feed: [imported.inputs[0]: NDArray(shape: [1, 3], scalars: [1, 0, -1])])
        XCTAssertEqual(out.scalars, [1 - 3 + 0.5, 4 - 6 - 0.5])
    }

    func testASessionsTrainedValuesAreExported() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let w = g.variable(NDArray(zeros: [2, 2]), name: "w")
        let y = x.matmul(w)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        try session.assign(NDArray(shape: [2, 2], scalars: [1, 2, 3, 4]), to: w)
        let url = temporaryURL("trained.onnx")
        try g.exportONNX(inputs: [x], outputs: [y], to: url, session: session)
        let imported = try Graph.importONNX(from: url)
        let out = try Session(graph: imported.graph).run(imported.outputs[0], feed: [imported.inputs[0]: NDArray(shape: [1, 2], scalars: [1, 1])])
        XCTAssertEqual(out.scalars, [4, 6])
    }

    func testAnUnmappableOpIsAnErrorNamingIt() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let labels = g.labelsPlaceholder()
        XCTAssertThrowsError(try g.exportONNX(inputs: [x, labels], outputs: [x.relu()], to: temporaryURL("l.onnx"))) { error in
            XCTAssertTrue("\(error)".contains("input 'labels' is a labels_placeholder"), "\(error)")
        }
        let loss = crossEntropy(x, g.constant(NDArray(shape: [2], scalars: [0, 2])))
        XCTAssertThrowsError(try g.exportONNX(inputs: [x], outputs: [loss], to: temporaryURL("loss.onnx"))) { error in
            XCTAssertTrue("\(error)".contains("cannot export 'cross_entropy'"), "\(error)")
        }
        let y = x.leakyRelu()
        let line = #line + 1
        let dropped = dropout(y, p: 0.5)
        XCTAssertThrowsError(try g.exportONNX(inputs: [x], outputs: [dropped], to: temporaryURL("dropout.onnx"))) { error in
            XCTAssertTrue("\(error)".contains("cannot export 'bernoulli_mask'"), "\(error)")
            XCTAssertTrue("\(error)".contains("eval mode"), "\(error)")
            XCTAssertTrue("\(error)".contains("Graph+ExportONNXTests.swift:\(line)"), "\(error)")
        }
        let statistics = batchNorm(x, runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
        let url = temporaryURL("bn.onnx")
        XCTAssertThrowsError(try g.exportONNX(inputs: [x], outputs: [statistics], to: url)) { error in
            XCTAssertTrue("\(error)".contains("cannot export 'batch_statistics'"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}

/// Flattening from a later dimension is written as Reshape [0, 0, -1] (copy, copy, merge), which
/// must come back as a flatten even when the batch is unknown.
final class GraphExportONNXReshapeTests: XCTestCase {
    func testFlattenFromDimensionTwoWithAnUnknownBatch() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2, 3, 2], name: "x")
        let y = x.flatten(startDim: 2) * 2
        let url = temporaryURL("flatten2.onnx")
        try g.exportONNX(inputs: [x], outputs: [y], to: url)
        let imported = try Graph.importONNX(from: url)
        XCTAssertEqual(imported.outputs[0].shape, [nil, 2, 6])
        let input = wave([3, 2, 3, 2])
        let out = try Session(graph: imported.graph).run(imported.outputs[0], feed: [imported.inputs[0]: input])
        XCTAssertEqual(out.shape, [3, 2, 6])
        XCTAssertEqual(out.scalars, input.scalars.map { $0 * 2 })
    }
}
