import Foundation
import TandemEager
import TandemGraph

/// Writes an eager module as an ONNX model (`torch.onnx.export`): traces it on `example` (see
/// ``trace(_:example:file:line:)``) and exports the recorded graph with the parameters' current
/// values as initializers.
///
/// The model's input is `example`'s shape, batch included (as `torch.onnx.export` without
/// `dynamic_axes`). Put the module in evaluation mode first (`model.eval()`): in training mode
/// dropout draws masks and batch norm uses batch statistics, which the exporter rejects by name.
///
/// ```swift
/// model.eval()
/// try exportONNX(model, example: Tensor(zeros: [1, 784]), to: URL(fileURLWithPath: "mlp.onnx"))
/// ```
///
/// - Parameters:
///   - module: the eager module.
///   - example: an input of the shape the model will be run on.
///   - url: the `.onnx` file, written atomically (temporary file, fsync, rename).
///   - file: the caller's file, quoted in errors.
///   - line: the caller's line.
/// - Throws: the trace's errors, an exporter error naming an op ONNX export cannot map, or
///   `TandemError.file` when the file cannot be written.
public func exportONNX(
    _ module: Module, example: Tensor, to url: URL, file: StaticString = #fileID, line: UInt = #line
) throws {
    let traced = try trace(module, example: example, file: file, line: line)
    try traced.graph.exportONNX(
        inputs: [traced.input], outputs: [traced.output], to: url, session: traced.session, file: file, line: line)
}
