import XCTest
import TandemProtos
@testable import TandemTrace

/// Import of files written by hand in the shapes torch.onnx.export gives them.
final class GraphImportONNXTests: XCTestCase {
    private func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = "/\(op)_\(outputs[0])"
        n.attribute = attributes
        return n
    }

    private func model(_ nodes: [Onnx_NodeProto], initializers: [Onnx_TensorProto], input: [Int64], output: String) -> Onnx_ModelProto {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.producerName = "pytorch"
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        m.opsetImport = [opset]
        m.graph.node = nodes
        m.graph.initializer = initializers
        var info = Onnx_ValueInfoProto()
        info.name = "input"
        info.type.tensorType.elemType = 1
        info.type.tensorType.shape.dim = input.map { size in
            var d = Onnx_TensorShapeProto.Dimension()
            if size < 0 { d.dimParam = "batch_size" } else { d.dimValue = size }
            return d
        }
        m.graph.input = [info]
        var out = Onnx_ValueInfoProto()
        out.name = output
        m.graph.output = [out]
        return m
    }

    private func write(_ m: Onnx_ModelProto) throws -> URL {
        let url = temporaryURL("torch.onnx")
        try m.serializedData().write(to: url)
        return url
    }

    /// GELU as torch.onnx writes it for opset 17, Flatten, a Gemm with transB, a Constant node:
    /// checked against the formula evaluated here with Foundation's erf.
    func testTorchStyleGeluAndGemm() throws {
        var sqrt2 = Onnx_AttributeProto()
        sqrt2.name = "value"
        sqrt2.type = .tensor
        sqrt2.t = ONNXTensor.proto(NDArray(Float(2).squareRoot()), name: "")
        var transB = Onnx_AttributeProto()
        transB.name = "transB"
        transB.i = 1
        let nodes = [
            node("Flatten", ["input"], ["flat"]),
            node("Constant", [], ["sqrt2"], [sqrt2]),
            node("Div", ["flat", "sqrt2"], ["div"]),
            node("Erf", ["div"], ["erf"]),
            node("Add", ["erf", "one"], ["add"]),
            node("Mul", ["flat", "add"], ["mul"]),
            node("Mul", ["mul", "half"], ["gelu"]),
            node("Gemm", ["gelu", "fc.weight", "fc.bias"], ["output"], [transB]),
        ]
        let weight = NDArray(shape: [2, 4], scalars: [1, -1, 0.5, 2, 0, 1, -2, 1])
        let bias = NDArray(shape: [2], scalars: [0.25, -0.25])
        let url = try write(model(nodes, initializers: [
            ONNXTensor.proto(NDArray(1), name: "one"), ONNXTensor.proto(NDArray(0.5), name: "half"),
            ONNXTensor.proto(weight, name: "fc.weight"), ONNXTensor.proto(bias, name: "fc.bias"),
        ], input: [-1, 2, 2], output: "output"))
        let imported = try Graph.importONNX(from: url)
        XCTAssertEqual(imported.producer, "pytorch")
        XCTAssertEqual(imported.inputs[0].shape, [nil, 2, 2])
        XCTAssertTrue(imported.graph.nodes.contains { $0.op == .gelu })
        let x: [Float] = [-1.5, -0.2, 0.3, 2.0, 1, 0, -3, 0.7]
        let out = try Session(graph: imported.graph).run(
            imported.outputs[0], feed: [imported.inputs[0]: NDArray(shape: [2, 2, 2], scalars: x)])
        for row in 0..<2 {
            let g = x[(row * 4)..<(row * 4 + 4)].map { v in v * 0.5 * (1 + Foundation.erf(v / Float(2).squareRoot())) }
            for o in 0..<2 {
                let expected = (0..<4).reduce(bias.scalars[o]) { $0 + g[$1] * weight.scalars[o * 4 + $1] }
                XCTAssertEqual(out.scalars[row * 2 + o], expected, accuracy: 1e-5)
            }
        }
    }

    func testUnknownOpsAndBadFilesAreErrors() throws {
        let url = try write(model([node("Einsum", ["input"], ["output"])], initializers: [], input: [2], output: "output"))
        XCTAssertThrowsError(try Graph.importONNX(from: url)) { error in
            XCTAssertTrue("\(error)".contains("no mapping for op type 'Einsum'"), "\(error)")
        }
        let lonelyErf = try write(model([node("Erf", ["input"], ["output"])], initializers: [], input: [2], output: "output"))
        XCTAssertThrowsError(try Graph.importONNX(from: lonelyErf)) { error in
            XCTAssertTrue("\(error)".contains("Erf"), "\(error)")
        }
        let garbage = temporaryURL("garbage.onnx")
        try Data([0xFF, 0xFF, 0xFF, 0x01, 0x02]).write(to: garbage)
        XCTAssertThrowsError(try Graph.importONNX(from: garbage)) { error in
            XCTAssertTrue("\(error)".contains("garbage.onnx"), "\(error)")
        }
        XCTAssertThrowsError(try Graph.importONNX(from: temporaryURL("missing.onnx")))
        var bad = ONNXTensor.proto(NDArray(zeros: [3]), name: "w")
        bad.rawData = Data([0, 0, 0])  // 3 bytes for 3 floats
        let truncated = try write(model([node("Add", ["input", "w"], ["output"])], initializers: [bad], input: [3], output: "output"))
        XCTAssertThrowsError(try Graph.importONNX(from: truncated)) { error in
            XCTAssertTrue("\(error)".contains("raw bytes"), "\(error)")
        }
    }

    func testAShapeErrorInTheModelIsThrownNotFatal() throws {
        let url = try write(model([node("MatMul", ["input", "w"], ["output"])],
                                  initializers: [ONNXTensor.proto(NDArray(zeros: [5, 2]), name: "w")], input: [-1, 3], output: "output"))
        XCTAssertThrowsError(try Graph.importONNX(from: url)) { error in
            XCTAssertTrue("\(error)".contains("matmul"), "\(error)")
        }
    }
}
