import Foundation
import TandemGraph
import TandemProtos

/// An ONNX model read into a Tandem ``Graph``: run `outputs` in a `Session`, feeding `inputs`.
///
/// ```swift
/// let model = try Graph.importONNX(from: URL(fileURLWithPath: "mlp.onnx"))
/// let y = try Session(graph: model.graph).run(model.outputs[0], feed: [model.inputs[0]: x])
/// ```
public struct ONNXModel {
    /// The graph holding the model: placeholders for its inputs, constants for its weights.
    public let graph: Graph
    /// One placeholder per model input, in the file's order (named as in the file).
    public let inputs: [Node]
    /// One node per model output, in the file's order.
    public let outputs: [Node]
    /// The producer the file names (`Tandem`, `pytorch`, ...).
    public let producer: String
    /// The default-domain opset the file imports.
    public let opset: Int
}

extension Graph {
    /// Reads an ONNX model into a new graph (`onnx2tf`-style import): what
    /// ``exportONNX(inputs:outputs:to:session:file:line:)`` writes, and the same ops from
    /// `torch.onnx.export` (Gemm, MatMul, Conv, MaxPool, AveragePool, BatchNormalization,
    /// Flatten, Reshape with constant shapes, Transpose, Concat, Softmax, LogSoftmax, the Erf form of
    /// GELU, elementwise ops, reductions over one axis, ...).
    ///
    /// - Parameters:
    ///   - url: an `.onnx` file.
    ///   - file: the source file recorded on the new nodes (defaults to the caller's).
    ///   - line: the source line recorded on the new nodes (defaults to the caller's).
    /// - Returns: the graph with its input placeholders and output nodes.
    /// - Throws: `TandemError.file` for an unreadable or malformed file, and for an op the
    ///   importer cannot map (named, with its node); shape errors of the model's ops as
    ///   `TandemError.shapeMismatch`.
    public static func importONNX(from url: URL, file: StaticString = #fileID, line: UInt = #line) throws -> ONNXModel {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TandemError.file(path: url.path, reason: "cannot be read")
        }
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw TandemError.file(path: url.path, reason: "is not an ONNX model (\(error))")
        }
        var importer = ONNXImporter(path: url.path, file: file, line: line)
        return try checked { try importer.read(model) }
    }
}
