import Foundation
import TandemGraph
import TandemProtos

extension Graph {
    /// Writes the part of the graph between `inputs` and `outputs` as an ONNX model (opset 17),
    /// the file onnxruntime, `onnx.checker` and `Graph.importONNX(from:)` read.
    ///
    /// Placeholders listed in `inputs` become the model's inputs (an unknown batch dimension
    /// becomes the symbolic dimension `batch`); constants and variables become initializers
    /// holding their values (the session's, when given, else the initial values). Each primitive
    /// maps through one table (`ONNXExporter+Ops.swift`): `linear` to Gemm, `conv2d` to Conv,
    /// batch norm with running statistics to BatchNormalization, `gelu` to the Erf form, ...
    ///
    /// ```swift
    /// let x = g.placeholder(shape: [nil, 784], name: "x")
    /// let logits = ...
    /// try g.exportONNX(inputs: [x], outputs: [logits], to: URL(fileURLWithPath: "mlp.onnx"))
    /// ```
    ///
    /// - Parameters:
    ///   - inputs: the placeholders the model reads.
    ///   - outputs: the nodes the model returns.
    ///   - url: the `.onnx` file, written atomically (temporary file, fsync, rename).
    ///   - session: the session whose variable values to write (nil: the initial values).
    ///   - file: the source file named in errors (defaults to the caller's).
    ///   - line: the source line named in errors (defaults to the caller's).
    /// - Throws: `TandemError.invalidValue` naming an op ONNX export cannot map (a gradient op, a
    ///   loss, batch statistics of training mode, dropout's mask, control flow) or an input that is
    ///   not a placeholder; `TandemError.file` when the file cannot be written.
    public func exportONNX(
        inputs: [Node], outputs: [Node], to url: URL, session: Session? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        let model = try onnxModel(inputs: inputs, outputs: outputs, session: session, file: file, line: line)
        try writeAtomically(try model.serializedData(), to: url)
    }

    /// The ONNX model `exportONNX(inputs:outputs:to:)` writes, as a message.
    func onnxModel(
        inputs: [Node], outputs: [Node], session: Session?, file: StaticString, line: UInt
    ) throws -> Onnx_ModelProto {
        let location = SourceLocation(file, line)
        guard !outputs.isEmpty else {
            throw TandemError.invalidValue(op: "exportONNX", reason: "no outputs to export", location: location)
        }
        if let stranger = (inputs + outputs).first(where: { $0.graph !== self }) {
            throw TandemError.graph(node: stranger.name, reason: "exportONNX: the node belongs to another graph", location: location)
        }
        var exporter = ONNXExporter(graph: self, session: session, location: location)
        return try exporter.model(inputs: inputs, outputs: outputs)
    }
}
