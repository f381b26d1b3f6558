import TandemTestSupport
import XCTest

@testable import TandemEager

/// Batch norm against naive per-channel loops: output, running statistics (unbiased variance),
/// evaluation mode, gradients by finite differences, state-dict keys and the int64 count on disk.
final class BatchNormTests: XCTestCase {
    /// Per-channel mean, biased and unbiased variance of NCHW (or NC) values, by plain loops.
    private func channelStatistics(_ x: [Float], shape: [Int]) -> (mean: [Double], biased: [Double], unbiased: [Double]) {
        let (n, c) = (shape[0], shape[1])
        let inner = shape.dropFirst(2).reduce(1, *)
        var mean = [Double](repeating: 0, count: c), biased = mean, unbiased = mean
        for ch in 0..<c {
            var values: [Double] = []
            for b in 0..<n { for k in 0..<inner { values.append(Double(x[(b * c + ch) * inner + k])) } }
            let m = values.reduce(0, +) / Double(values.count)
            let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            mean[ch] = m
            biased[ch] = squares / Double(values.count)
            unbiased[ch] = squares / Double(values.count - 1)
        }
        return (mean, biased, unbiased)
    }

    /// `(x - mean) / sqrt(var + eps) * w + b` per channel, by plain loops.
    private func normalized(_ x: [Float], shape: [Int], mean: [Double], variance: [Double], weight: [Float], bias: [Float], eps: Double = 1e-5) -> [Float] {
        let c = shape[1]
        let inner = shape.dropFirst(2).reduce(1, *)
        return x.indices.map { i in
            let ch = (i / inner) % c
            return Float((Double(x[i]) - mean[ch]) / (variance[ch] + eps).squareRoot() * Double(weight[ch]) + Double(bias[ch]))
        }
    }

    func testBatchNorm2dTrainingOutputAndRunningStatisticsMatchNaiveLoops() {
        let shape = [2, 3, 2, 2]
        let bn = BatchNorm2d(3)
        let weight: [Float] = [1.5, -0.5, 2], bias: [Float] = [0.1, 0.2, -0.3]
        bn.weight!.array = NDArray(shape: [3], scalars: weight)
        bn.bias!.array = NDArray(shape: [3], scalars: bias)
        var runningMean = [Double](repeating: 0, count: 3), runningVar = [Double](repeating: 1, count: 3)
        for step in 0..<3 {
            let x = sampleValues(24, seed: UInt64(step + 1)).map { $0 * 3 + Float(step) }
            let y = bn(Tensor(shape: shape, scalars: x))
            let stats = channelStatistics(x, shape: shape)
            assertClose(y.scalars, normalized(x, shape: shape, mean: stats.mean, variance: stats.biased, weight: weight, bias: bias),
                        atol: 1e-4, "step \(step) output")
            for ch in 0..<3 {
                runningMean[ch] = 0.9 * runningMean[ch] + 0.1 * stats.mean[ch]
                runningVar[ch] = 0.9 * runningVar[ch] + 0.1 * stats.unbiased[ch]
            }
            assertClose(bn.runningMean.scalars, runningMean.map(Float.init), atol: 1e-5, "step \(step) running_mean")
            assertClose(bn.runningVar.scalars, runningVar.map(Float.init), atol: 1e-5, "step \(step) running_var (unbiased)")
        }
        XCTAssertEqual(bn.numBatchesTracked.scalars, [3])
        XCTAssertEqual(bn.numBatchesTracked.shape, [])

        // Evaluation normalises with the running statistics and leaves them alone.
        bn.eval()
        let x = sampleValues(24, seed: 9)
        let y = bn(Tensor(shape: shape, scalars: x))
        assertClose(y.scalars, normalized(x, shape: shape, mean: runningMean, variance: runningVar, weight: weight, bias: bias),
                    atol: 1e-4, "eval output")
        assertClose(bn.runningMean.scalars, runningMean.map(Float.init), atol: 1e-5, "eval keeps running_mean")
        XCTAssertEqual(bn.numBatchesTracked.scalars, [3], "eval does not count batches")
    }

    func testBatchNorm1dOnFeaturesAndSequences() {
        for shape in [[5, 4], [3, 4, 2]] {
            let bn = BatchNorm1d(4, momentum: 0.3)
            let count = shape.reduce(1, *)
            let x = sampleValues(count, seed: UInt64(count))
            let y = bn(Tensor(shape: shape, scalars: x))
            let stats = channelStatistics(x, shape: shape)
            let ones = [Float](repeating: 1, count: 4), zeros = [Float](repeating: 0, count: 4)
            assertClose(y.scalars, normalized(x, shape: shape, mean: stats.mean, variance: stats.biased, weight: ones, bias: zeros),
                        atol: 1e-4, "\(shape)")
            assertClose(bn.runningVar.scalars, stats.unbiased.map { Float(0.7 + 0.3 * $0) }, atol: 1e-5, "\(shape) running_var")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        let shape = [3, 2, 2, 2]
        let bn = BatchNorm2d(2)
        bn.weight!.array = NDArray(shape: [2], scalars: [0.7, -1.3])
        bn.bias!.array = NDArray(shape: [2], scalars: [0.2, 0.4])
        let x = Tensor(shape: shape, scalars: sampleValues(24, seed: 5).map { $0 * 2 }, requiresGrad: true)
        let mix = Tensor(shape: shape, scalars: sampleValues(24, seed: 6))
        func loss() -> Tensor { (bn(x) * mix).sum() }
        loss().backward()
        for (name, tensor) in [("input", x), ("weight", bn.weight!), ("bias", bn.bias!)] {
            let numeric = finiteDifferenceGradient(of: { loss().item() }, at: tensor, eps: 1e-2)
            assertClose(tensor.grad!.scalars, numeric, atol: 5e-3, rtol: 1e-2, name)
        }
    }

    func testStateDictKeysAreTorchsAndBuffersAreNotParameters() throws {
        let model = Sequential { Conv2d(1, 2, kernelSize: 3); BatchNorm2d(2); ReLU() }
        XCTAssertEqual(
            model.stateDict().keys.sorted(),
            ["0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight"])
        XCTAssertEqual(model.parameters.count, 4, "running statistics are buffers, not parameters")
        XCTAssertEqual(model.namedBuffers.map(\.0), ["1.running_mean", "1.running_var", "1.num_batches_tracked"])

        // Buffers load back, including a [1]-shaped count as older PyTorch files hold it.
        let bn = BatchNorm2d(2)
        var state = bn.stateDict()
        state["running_mean"] = NDArray(shape: [2], scalars: [0.5, -0.5])
        state["num_batches_tracked"] = NDArray(shape: [1], scalars: [7])
        try bn.loadStateDict(state)
        XCTAssertEqual(bn.runningMean.scalars, [0.5, -0.5])
        XCTAssertEqual(bn.numBatchesTracked.scalars, [7])
        XCTAssertEqual(bn.numBatchesTracked.shape, [])
        state.removeValue(forKey: "running_var")
        XCTAssertThrowsError(try bn.loadStateDict(state)) { error in
            XCTAssertTrue("\(error)".contains("running_var"), "\(error)")
        }
    }

    func testNumBatchesTrackedIsSavedAsInt64() throws {
        let bn = BatchNorm1d(3)
        for seed in 1...2 { _ = bn(Tensor(shape: [4, 3], scalars: sampleValues(12, seed: UInt64(seed)))) }
        let url = try temporaryDirectory(self).appendingPathComponent("bn.safetensors")
        try save(bn.stateDict(), to: url)
        let bytes = try [UInt8](Data(contentsOf: url))
        var headerLength = 0
        for i in 0..<8 { headerLength |= Int(bytes[i]) << (8 * i) }
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains(#""num_batches_tracked":{"dtype":"I64","shape":[]"#), header)
        XCTAssertTrue(header.contains(#""running_var":{"dtype":"F32","shape":[3]"#), header)
        let loaded = try load(from: url)
        XCTAssertEqual(loaded["num_batches_tracked"]?.scalars, [2])
        XCTAssertEqual(loaded["running_mean"], bn.runningMean.array)
    }

    func testBadInputThrowsNamingTheModuleAndTheCallersLine() {
        let bn = BatchNorm2d(3)
        let line = #line + 1
        let wrongRank = checkedError { _ = bn(Tensor(shape: [2, 3], scalars: Array(repeating: 0, count: 6))) }
        XCTAssertTrue("\(wrongRank!)".contains("BatchNorm2d"), "\(wrongRank!)")
        XCTAssertTrue("\(wrongRank!)".contains("BatchNormTests.swift:\(line)"), "\(wrongRank!)")
        let wrongChannels = checkedError { _ = bn(Tensor(shape: [2, 4, 1, 1], scalars: Array(repeating: 0, count: 8))) }
        XCTAssertTrue("\(wrongChannels!)".contains("3 channels"), "\(wrongChannels!)")
        let single = checkedError { _ = BatchNorm1d(3)(Tensor(shape: [1, 3], scalars: [1, 2, 3])) }
        XCTAssertTrue("\(single!)".contains("more than 1 value per channel"), "\(single!)")
    }

    /// The modules reproduce the runs recorded from torch.nn.BatchNorm1d/2d (see
    /// TandemTestSupport's reference script): running statistics after two batches, eval output.
    func testRunningStatisticsAndEvalOutputMatchPyTorch() throws {
        for run in PyTorchReference.batchNormRuns {
            let c = run.weight.count
            let module: Module = run.batches[0].shape.count == 4
                ? BatchNorm2d(c, momentum: run.momentum) : BatchNorm1d(c, momentum: run.momentum)
            try module.loadStateDict([
                "weight": NDArray(shape: [c], scalars: run.weight), "bias": NDArray(shape: [c], scalars: run.bias),
                "running_mean": NDArray(shape: [c], scalars: run.initialMean),
                "running_var": NDArray(shape: [c], scalars: run.initialVar), "num_batches_tracked": NDArray(0),
            ])
            for batch in run.batches { _ = module(Tensor(shape: batch.shape, scalars: batch.values)) }
            let state = module.stateDict()
            assertClose(state["running_mean"]!.scalars, run.updatedMean, atol: 1e-5, run.name)
            assertClose(state["running_var"]!.scalars, run.updatedVar, atol: 1e-5, run.name)
            XCTAssertEqual(state["num_batches_tracked"]!.scalars, [Float(run.batches.count)])
            module.eval()
            let last = run.batches[1]
            assertClose(module(Tensor(shape: last.shape, scalars: last.values)).scalars, run.evalOutput, atol: 1e-5, run.name)
        }
    }

    /// A file written by PyTorch (num_batches_tracked as I64) loads into BatchNorm2d strictly,
    /// and the module then gives PyTorch's eval output (values from
    /// scripts/pytorch/record_batchnorm_state_dict.py).
    func testLoadsAStateDictSavedByPyTorch() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("torch-bn.safetensors")
        try XCTUnwrap(Data(base64Encoded: PyTorchBatchNormStateDict.fileBase64)).write(to: url)
        let state = try load(from: url)
        XCTAssertEqual(state.keys.sorted(), PyTorchBatchNormStateDict.values.keys.sorted())
        for (key, values) in PyTorchBatchNormStateDict.values { XCTAssertEqual(state[key]?.scalars, values, key) }
        XCTAssertEqual(state["num_batches_tracked"]?.shape, [])
        let bn = BatchNorm2d(3, momentum: 0.2)
        try bn.loadStateDict(state)
        bn.eval()
        let y = bn(Tensor(shape: [2, 3, 2, 2], scalars: PyTorchBatchNormStateDict.evalInput))
        assertClose(y.scalars, PyTorchBatchNormStateDict.evalOutput, atol: 1e-6)
        // Saved again, the file has the same header PyTorch wrote.
        let again = try temporaryDirectory(self).appendingPathComponent("again.safetensors")
        try save(bn.stateDict(), to: again)
        XCTAssertEqual(try load(from: again), state)
    }
}
