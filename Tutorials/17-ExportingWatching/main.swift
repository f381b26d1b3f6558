// Tutorial 17: exporting and watching. TensorBoard event files from both frontends (the two loss
// curves side by side), and an eager model exported to ONNX, imported back into a graph, and
// (when onnxruntime is installed) run by onnxruntime.
//
// `SummaryWriter` (TandemBoard, re-exported by TandemEager and TandemGraph) writes TensorBoard's
// own record format; `exportONNX(model, example:to:)` traces the eager model and writes ONNX
// (opset 17); `Graph.importONNX(from:)` reads ONNX into a graph a Session runs.
//
// Run: swift run tutorial-17-exporting-watching      (add --quick for a shorter run)
//      tensorboard --logdir <the printed log directory>
// Exercises (see README.md): --lr 0.5, --batch 1, --train-mode.
import Foundation
import TandemTrace

/// The value after a command-line flag (`--lr 0.5`), or nil.
func flag(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
let learningRate = Float(flag("--lr") ?? "") ?? 0.1
let exportBatch = Int(flag("--batch") ?? "") ?? 8
let exportInTrainingMode = CommandLine.arguments.contains("--train-mode")
let steps = quick ? 20 : 200
let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-tutorial-17-\(ProcessInfo.processInfo.processIdentifier)")
let logDir = workDirectory.appendingPathComponent("logs")

func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0 }
/// Four blobs in the plane, 64 points, labels 0..<4 (no generator involved).
let points: (x: NDArray, labels: NDArray) = {
    let centers: [(Float, Float)] = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
    var xs: [Float] = [], ys: [Float] = []
    for i in 0..<64 {
        let c = i % 4
        xs += [centers[c].0 + 0.4 * Float(sin(Double(i) * 1.7)), centers[c].1 + 0.4 * Float(cos(Double(i) * 2.3))]
        ys.append(Float(c))
    }
    return (NDArray(shape: [64, 2], scalars: xs), NDArray(shape: [64], scalars: ys))
}()

print("== 1. TensorBoard: the same model trained by both frontends ==")
manualSeed(0)
let model = TandemEager.Sequential([Linear(2, 16), ReLU(), Dropout(p: 0.2), Linear(16, 4)])
model.eval()  // dropout off while training here, so both frontends compute the same function
let initial = model.stateDict()

// Eager: PyTorch style, logging the loss every step.
let eagerWriter = try SummaryWriter(logDir: logDir.appendingPathComponent("eager"))
let optimizer = SGD(model.parameters, lr: learningRate)
var eagerLosses: [Float] = []
for step in 0..<steps {
    optimizer.zeroGrad()
    let loss = crossEntropy(model(Tensor(points.x)), Tensor(points.labels))
    loss.backward()
    optimizer.step()
    eagerLosses.append(loss.item())
    eagerWriter.addScalar("loss", loss.item(), step: step)
}
eagerWriter.addHistogram("fc1/weight", model.stateDict()["0.weight"]!, step: steps)
eagerWriter.close()

// Graph: TensorFlow 1 style, from the same initial weights, logging the same tag in its own run.
let g = Graph()
let x = g.placeholder(shape: [nil, 2], name: "x")
let labels = g.labelsPlaceholder()
let w1 = g.variable(initial["0.weight"]!, name: "fc1/weight"), b1 = g.variable(initial["0.bias"]!, name: "fc1/bias")
let w2 = g.variable(initial["3.weight"]!, name: "fc2/weight"), b2 = g.variable(initial["3.bias"]!, name: "fc2/bias")
let logits = linear(linear(x, weight: w1, bias: b1, activation: .relu), weight: w2, bias: b2)
let graphLoss = crossEntropy(logits, labels)
let trainOp = GradientDescentOptimizer(learningRate: learningRate).minimize(graphLoss)
let session = Session(graph: g)
try session.run(g.initializeVariables())
let graphWriter = try SummaryWriter(logDir: logDir.appendingPathComponent("graph"))
graphWriter.addGraph(g)
var graphLosses: [Float] = []
for step in 0..<steps {
    let loss = try session.run([graphLoss, trainOp], feed: [x: points.x, labels: points.labels])[0].scalar
    graphLosses.append(loss)
    graphWriter.addScalar("loss", loss, step: step)
}
graphWriter.close()

print("log directory: \(logDir.path)   (tensorboard --logdir \(logDir.path))")
print("runs: eager -> \(eagerWriter.fileURL.lastPathComponent), graph -> \(graphWriter.fileURL.lastPathComponent)")
// Read the files back, as TensorBoard does: records, CRCs, events.
let eagerCurve = try EventFile.scalars(in: eagerWriter.fileURL, tag: "loss")
let graphCurve = try EventFile.scalars(in: graphWriter.fileURL, tag: "loss")
print("read back: \(eagerCurve.count) eager points, \(graphCurve.count) graph points of tag 'loss'")
print(String(format: "loss at step 0: eager %.4f, graph %.4f", eagerCurve[0].value, graphCurve[0].value))
print(String(format: "loss at step %d: eager %.4f, graph %.4f", steps - 1, eagerCurve[steps - 1].value, graphCurve[steps - 1].value))
print(String(format: "largest difference between the two curves: %.2e", maxDifference(eagerLosses, graphLosses)))
let graphEvents = try EventFile.events(in: graphWriter.fileURL)
print("graph run: \(graphEvents.count) events, graph tab: \(graphEvents.contains { !$0.graphDef.isEmpty } ? "yes" : "no")")

print("\n== 2. ONNX: export the eager model, import it into a graph ==")
let onnxURL = workDirectory.appendingPathComponent("blobs.onnx")
if exportInTrainingMode { model.train() }
let example = Tensor(NDArray(shape: [exportBatch, 2], scalars: (0..<(2 * exportBatch)).map { Float(sin(Double($0))) }))
do {
    try exportONNX(model, example: example, to: onnxURL)
} catch {
    print("export failed: \(error)")
    exit(0)
}
let size = (try? FileManager.default.attributesOfItem(atPath: onnxURL.path)[.size] as? Int) ?? 0
print("wrote \(onnxURL.lastPathComponent): \(size) bytes")
let imported = try Graph.importONNX(from: onnxURL)
print("imported: producer \(imported.producer), opset \(imported.opset), input '\(imported.inputs[0].name)' \(formatShape(imported.inputs[0].shape))")
print("imported ops: \(imported.graph.nodes.compactMap(\.op).map(\.name).joined(separator: ", "))")
let eagerOut = model(example).scalars
let importedOut = try Session(graph: imported.graph).run(imported.outputs[0], feed: [imported.inputs[0]: example.array]).scalars
print(String(format: "largest difference between the imported graph and eager: %.2e", maxDifference(eagerOut, importedOut)))

print("\n== 3. onnxruntime (when installed) ==")
/// Runs onnxruntime and onnx.checker on the file through python3, if both are importable.
func runOnnxruntime() -> String {
    let script = """
        import sys, json, numpy as np, onnx, onnxruntime as ort
        m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True)
        d = json.loads(sys.stdin.read())
        s = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
        y = s.run(None, {s.get_inputs()[0].name: np.array(d["x"], dtype=np.float32).reshape(d["shape"])})[0]
        print("onnx.checker: ok; onnxruntime %s: largest difference from eager %.2e" % (ort.__version__, np.max(np.abs(y.flatten() - np.array(d["y"], dtype=np.float32)))))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, onnxURL.path]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = Pipe()
    do { try process.run() } catch { return "python3 not found: skipped" }
    let payload = try? JSONSerialization.data(withJSONObject: ["x": example.scalars, "shape": example.shape, "y": eagerOut])
    input.fileHandleForWriting.write(payload ?? Data())
    try? input.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return process.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines)
        : "onnx or onnxruntime not installed (pip install onnx onnxruntime): skipped"
}
print(runOnnxruntime())
try? FileManager.default.removeItem(at: onnxURL)
// Quick runs (the tests) leave nothing behind; a full run keeps the logs for `tensorboard --logdir`.
if quick { try? FileManager.default.removeItem(at: workDirectory) }
