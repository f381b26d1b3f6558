import ArgumentParser
import Foundation
import TandemCompare
import TandemTrace

/// `tandem export-onnx`: the comparison models as ONNX files, with an input and Tandem's output
/// beside each, for `scripts/check-onnx.py` (onnx.checker, onnxruntime).
struct ExportONNXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-onnx",
        abstract: "Export the eager models (traced) as ONNX, with a sample input and Tandem's output as JSON.",
        discussion: "Writes DIR/<model>.onnx and DIR/<model>.json ({\"input\": {shape, data}, \"output\": {shape, data}}).")

    @Option(help: "mlp, cnn, lenet5 or all (mlp and cnn).")
    var model: ModelChoice = .all

    @Option(help: "The directory to write into.")
    var out: String

    @Option(help: "Seed of the weights.")
    var seed: UInt64 = 0

    @Option(help: "The batch size of the exported input.")
    var batchSize = 4

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for spec in model.specs {
            let module = try spec.makeModule(weights: spec.initialWeights(seed: seed))
            module.eval()
            let shape = [batchSize] + spec.sampleShape
            let count = shape.reduce(1, *)
            let input = NDArray(shape: shape, scalars: (0..<count).map { Float((($0 * 37) % 101)) / 101 })
            let url = dir.appendingPathComponent("\(spec.name).onnx")
            try exportONNX(module, example: Tensor(input), to: url)
            let output = module(Tensor(input)).array
            try writeJSON(["input": arrayJSON(input), "output": arrayJSON(output)],
                          to: dir.appendingPathComponent("\(spec.name).json").path)
            note("wrote \(url.path)")
        }
    }
}

/// `tandem run-onnx`: imports an ONNX file into a graph and runs it on an input given as JSON.
struct RunONNXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-onnx",
        abstract: "Import an ONNX model into a graph and run it in a session.",
        discussion: """
            The input file is JSON {"input": {"shape": [...], "data": [...]}}; the output is printed as JSON \
            {"output": {...}}, or with --check, compared with the file's "output" (max |difference|).
            """)

    @Argument(help: "The .onnx file.")
    var file: String

    @Option(help: "A JSON file with the input (and, for --check, the expected output).")
    var input: String

    @Flag(help: "Compare with the JSON file's \"output\" and fail above --tolerance.")
    var check = false

    @Option(help: "The largest |difference| --check accepts.")
    var tolerance: Float = 1e-4

    @Option(help: "Also write the imported graph back out as ONNX with Tandem's exporter (a round trip through Tandem).")
    var reexport: String?

    func run() throws {
        let model = try Graph.importONNX(from: URL(fileURLWithPath: file))
        guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: input))) as? [String: Any],
            let x = array(object["input"])
        else { throw ValidationError("\(input): expected {\"input\": {\"shape\": [...], \"data\": [...]}}") }
        guard model.inputs.count == 1, model.outputs.count >= 1 else {
            throw ValidationError("\(file): run-onnx runs models of one input (this one has \(model.inputs.count))")
        }
        let y = try Session(graph: model.graph).run(model.outputs[0], feed: [model.inputs[0]: x])
        if let reexport {
            try model.graph.exportONNX(inputs: model.inputs, outputs: [model.outputs[0]], to: URL(fileURLWithPath: reexport))
        }
        if check {
            guard let expected = array(object["output"]), expected.shape == y.shape else {
                throw ValidationError("\(input): no \"output\" of shape \(formatShape(y.shape)) to check against")
            }
            let diff = zip(y.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
            print("\(file): \(model.producer) opset \(model.opset), \(model.graph.nodes.count) nodes, "
                + "output \(formatShape(y.shape)), max |difference| \(diff)")
            if !(diff <= tolerance) { throw ExitCode.failure }
        } else {
            let data = try JSONSerialization.data(withJSONObject: ["output": arrayJSON(y)])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    private func array(_ value: Any?) -> NDArray? {
        guard let dict = value as? [String: Any], let shape = dict["shape"] as? [Int],
            let data = dict["data"] as? [Double], shape.reduce(1, *) == data.count
        else { return nil }
        return NDArray(shape: shape, scalars: data.map(Float.init))
    }
}

/// `{"shape": [...], "data": [...]}`.
private func arrayJSON(_ a: NDArray) -> [String: Any] {
    ["shape": a.shape, "data": a.contiguous().scalars.map(Double.init)]
}
