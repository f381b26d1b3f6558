import Foundation
import XCTest

/// Runs every tutorial in quick mode and checks the facts it exists to teach, so the course cannot
/// rot. Expected values are closed forms (d(x²)/dx = 2 at x = 1, 1·1 + 1·2 + 1·3 + 2·1 + ... = 18),
/// never numbers copied from a run.
final class TutorialTests: XCTestCase {
    func testTutorial01Tensors() throws {
        let out = try TutorialRunner.run("tutorial-01-tensors")
        out.expectSuccess()
        out.expect("a.shape = [2, 3]")
        // [2, 3] + [3] adds the row to every row.
        out.expect("[2, 3] + [3]    -> [2, 3] [101.0, 202.0, 303.0, 104.0, 205.0, 306.0]")
        out.expect("[2, 3] + [2, 1] -> [2, 3] [1001.0, 1002.0, 1003.0, 2004.0, 2005.0, 2006.0]")
        out.expect("[3, 1] * [1, 4] -> [3, 4]")
        // The broadcasting error names the op, both shapes and this tutorial's line.
        out.expect(matching: #"error: add: .*\[2, 3\], \[2\].*main\.swift:\d+"#)
        out.expect("a.sum() = 21.0")
        out.expect("a.sum(dim: 0) = [5.0, 7.0, 9.0] shape [3]")
        out.expect("a.sum(dim: 1, keepDim: true) shape [2, 1]")
        out.expect("a.reshape([3, -1]).shape = [3, 2]")
        out.expect("p = [99.0, 2.0, 3.0, 4.0]  q (the earlier copy) = [1.0, 2.0, 3.0, 4.0]")
        out.expect(matching: #"GFLOP/s"#)
        out.expect("each entry of the result = 128.0")
    }

    func testTutorial02Autograd() throws {
        let out = try TutorialRunner.run("tutorial-02-autograd")
        out.expectSuccess()
        out.expect("y = 1.0")
        out.expect("dy/dx = 2.0")
        out.expect("after a second backward, x.grad = 4.0")
        out.expect("x.grad = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]")
        out.expect("parameter 0: shape [8, 2], gradient shape [8, 2]")
        // The XOR network's loss must fall below its starting value.
        let losses = Self.numbers(after: "loss ", in: out.text)
        XCTAssertGreaterThan(losses.count, 2)
        if let first = losses.first, let last = losses.last { XCTAssertLessThan(last, first) }
    }

    func testTutorial03GraphSession() throws {
        let out = try TutorialRunner.run("tutorial-03-graph-session")
        out.expectSuccess()
        out.expect("fetched y = 1.0  dy/dx = 2.0")
        out.expect("at x = 3: y = 9.0  dy/dx = 6.0")
        // x = [[1, 1, 1], [2, 2, 2]], w = [1, 2, 3]: scores 6 and 12, loss 18, dloss/dw = column sums.
        out.expect("fetched scores = [6.0, 12.0]  loss = [18.0]  dloss/dw = [3.0, 3.0, 3.0]")
        out.expect("a batch of 5 gives scores of shape [5, 1]")
        out.expect(matching: #"error: .*x"#)
        let fit = out.expect(matching: #"learned weight (-?[\d.]+), bias (-?[\d.]+)"#)
        if fit.count == 3 {
            XCTAssertEqual(Float(fit[1]) ?? 0, 2, accuracy: 0.1)
            XCTAssertEqual(Float(fit[2]) ?? 0, 1, accuracy: 0.2)
        }
    }

    func testTutorial04MLPEager() throws {
        let out = try TutorialRunner.run("tutorial-04-mlp-eager")
        out.expectSuccess()
        out.expect("train images [4000, 1, 28, 28]  test images [1000, 1, 28, 28]")
        out.expect("0.weight [512, 784]")
        out.expect("4.bias [10]")
        // 784*512 + 512 + 512*256 + 256 + 256*10 + 10 weights.
        out.expect("parameters: 535818")
        Self.checkTraining(out)
    }

    func testTutorial05MLPGraph() throws {
        let out = try TutorialRunner.run("tutorial-05-mlp-graph")
        out.expectSuccess()
        out.expect("logits: static shape [?, 10]")
        Self.checkTraining(out)
        // Same seed, same data order, same ops: the graph must compute what the eager MLP computes.
        let eager = try TutorialRunner.run("tutorial-04-mlp-eager")
        let graphFirst = Self.numbers(after: "first batch: loss ", in: out.text)
        let eagerFirst = Self.numbers(after: "first batch: loss ", in: eager.text)
        XCTAssertEqual(graphFirst.count, 1)
        XCTAssertEqual(graphFirst.first ?? 0, eagerFirst.first ?? 1, accuracy: 1e-3)
    }

    func testTutorial06CNNKeras() throws {
        let out = try TutorialRunner.run("tutorial-06-cnn-keras")
        out.expectSuccess()
        out.expect("conv2d/kernel [32, 1, 3, 3]")
        out.expect("[5408, 128]")  // 32 channels x 13 x 13 after pooling
        let test = out.expect(matching: #"test loss ([\d.]+), test accuracy ([\d.]+)"#)
        if test.count == 3 { XCTAssertGreaterThan(Float(test[2]) ?? 0, 0.3, "well above chance (0.1)") }
        out.expect("first 8 test digits:")
    }

    func testTutorial07CustomFunction() throws {
        let out = try TutorialRunner.run("tutorial-07-custom-function")
        out.expectSuccess()
        let grads = Self.numbers(in: out.expect(matching: #"x\.grad   = \[([^\]]*)\]"#).last ?? "")
        XCTAssertEqual(grads.count, 3)
        for (g, x) in zip(grads, [Float(0), 1, 2]) { XCTAssertEqual(g, Foundation.exp(x), accuracy: 1e-5) }
        // Each analytic derivative agrees with its finite difference.
        let pairs = out.text.split(separator: "\n").filter { $0.contains("analytic") }
        XCTAssertEqual(pairs.count, 3)
        for line in pairs {
            let values = Self.numbers(in: String(line.split(separator: ":", maxSplits: 1).last ?? ""))
            XCTAssertEqual(values.count, 2, String(line))
            if values.count == 2 { XCTAssertEqual(values[0], values[1], accuracy: 2e-3 * values[0]) }
        }
        let composed = Self.numbers(in: out.expect(matching: #"z\.grad   = \[([^\]]*)\]"#).last ?? "")
        XCTAssertEqual(composed.count, 2)
        for (g, z) in zip(composed, [Float(0.5), -0.5]) { XCTAssertEqual(g, Foundation.exp(2 * z + 1), accuracy: 1e-4) }
    }

    func testTutorial08Debugging() throws {
        let out = try TutorialRunner.run("tutorial-08-debugging")
        out.expectSuccess()
        // Each error must point at the exact line marked in the tutorial's source.
        let lines = try Self.markedLines(in: "08-Debugging")
        XCTAssertEqual(lines.count, 4)
        guard lines.count == 4 else { return }
        out.expect(matching: #"eager error: linear: input features \(5\) do not match the weight's \(4\); input shapes \[4, 5\], \[3, 4\], \[3\] \(at [\w/]*main\.swift:"# + "\(lines[0])\\)")
        out.expect(matching: #"graph error: linear: .*\[\?, 5\], \[3, 4\], \[3\] \(at [\w/]*main\.swift:"# + "\(lines[1])\\)")
        out.expect("eager, no checks: loss = ")
        out.expect(matching: #"eager error: log: forward produced NaN or Inf.* \(at [\w/]*main\.swift:"# + "\(lines[2])\\)")
        out.expect(matching: #"graph error: node '[\w/]*log[\w]*': .*NaN.* \(at [\w/]*main\.swift:"# + "\(lines[3])\\)")
        // Printing an intermediate (eager) and fetching it (graph) show the same values.
        let eager = out.expect(matching: #"eager: h\[0\] = (.*)"#), graph = out.expect(matching: #"graph: h\[0\] = (.*)"#)
        XCTAssertEqual(eager.last, graph.last)
    }

    func testTutorial09GraphOptimisation() throws {
        let out = try TutorialRunner.run("tutorial-09-graph-optimisation")
        out.expectSuccess()
        out.expect("digraph \"graph\"")
        out.expect("digraph \"optimized\"")
        out.expect("fused(mul_scalar(6.0) -> add_scalar(-0.5) -> relu -> sqrt)")  // one pass over memory for four ops
        out.expect("linear(x w + b, relu)")  // matmul + bias + relu in one kernel
        let counts = out.expect(matching: #"nodes before optimisation: (\d+), after: (\d+)"#)
        if counts.count == 3 { XCTAssertLessThan(Int(counts[2]) ?? 99, Int(counts[1]) ?? 0) }
        let diff = out.expect(matching: #"largest relative difference between the two: ([-\d.e]+)"#)
        if diff.count == 2 { XCTAssertLessThan(Float(diff[1]) ?? 1, 1e-5) }
        out.expect(matching: #"unoptimised [\d.]+ ms, optimised [\d.]+ ms per run"#)
    }

    func testTutorial10Memory() throws {
        let out = try TutorialRunner.run("tutorial-10-memory")
        out.expectSuccess()
        // Without a tape nothing stays alive; with it, two activations per layer (linear and relu).
        out.expect("held afterwards +0 KiB")
        out.expect("= about 12 activations")
        let steady = out.expect(matching: #"buffers allocated during the step: (\d+)"#)
        if steady.count == 2 { XCTAssertLessThan(Int(steady[1]) ?? 999, 20) }
        let losses = out.expect(matching: #"both computed the same loss: ([-\d.e]+) ([-\d.e]+)"#)
        if losses.count == 3 { XCTAssertEqual(Float(losses[1]) ?? 0, Float(losses[2]) ?? 1, accuracy: 1e-6) }
    }

    func testTutorial11SavingLoading() throws {
        let out = try TutorialRunner.run("tutorial-11-saving-loading")
        out.expectSuccess()
        // PyTorch's state-dict keys for Sequential(Linear, ReLU, Linear).
        for key in ["0.weight [8, 4]", "0.bias [8]", "2.weight [3, 8]", "2.bias [3]"] { out.expect(key) }
        out.expect("before loading, outputs agree: false")
        out.expect("after loading, outputs agree:  true")
        // The loaded graph, run with no building code, reproduces the built graph's output exactly.
        let built = out.expect(matching: #"built and ran: scores = (\[.*\])"#)
        let loaded = out.expect(matching: #"loaded and ran: scores = (\[.*\])"#)
        XCTAssertEqual(built.last, loaded.last)
        out.expect(matching: #"graph file error: .*damaged\.tandemgraph: .*trunc"#)
        out.expect(matching: #"state dict error: .*damaged\.safetensors: "#)
        out.expect("resuming at epoch 3")
        out.expect("resumed run equals the uninterrupted run bit for bit: true")
        out.expect(#"loaded global step: 3.0  slots: ["w/momentum", "w/step"]"#)
        out.expect("resumed graph run equals the uninterrupted run bit for bit: true")
    }

    func testTutorial12ClippingAccumulation() throws {
        let out = try TutorialRunner.run("tutorial-12-clipping-accumulation")
        out.expectSuccess()
        let clip = out.expect(matching: #"gradient norm before clipping: ([\d.]+) \(clipGradNorm returned ([\d.]+)\)"#)
        if clip.count == 3 {
            XCTAssertGreaterThan(Float(clip[1]) ?? 0, 1)
            XCTAssertEqual(Float(clip[1]) ?? 0, Float(clip[2]) ?? -1, accuracy: 1e-2 * (Float(clip[1]) ?? 1))
        }
        out.expect("gradient norm after clipping:  1.000")
        let diff = out.expect(matching: #"max \|full-batch gradient - accumulated gradient\| = ([-\d.e]+)"#)
        if diff.count == 2 { XCTAssertLessThan(Float(diff[1]) ?? 1, 1e-4) }
    }

    func testTutorial18DataParallel() throws {
        let out = try TutorialRunner.run("tutorial-18-data-parallel")
        out.expectSuccess()
        if out.text.contains("mpirun not found") {
            // One rank: the group of one still trains, and equals the one-process run exactly.
            out.expect("ranks: 1")
            out.expect("max |DDP loss - one-process loss| = 0.0")
            return
        }
        out.expect("ranks: 2")
        out.expect("allreduce sum of rank + 1 over 2 ranks = 3.0")  // 1 + 2
        out.expect("allreduce average of rank + 1 = 1.5")
        out.expect("bucket 1: module.4.bias, module.4.weight, module.2.bias, module.2.weight")
        out.expect("when backward reached layer 0, 1 of 2 buckets were already being averaged")
        for pattern in [#"max \|DDP loss - one-process loss\| = ([-\d.e]+)"#, #"max \|Horovod loss - one-process loss\| = ([-\d.e]+)"#] {
            let match = out.expect(matching: pattern)
            if match.count == 2 { XCTAssertLessThan(Double(match[1]) ?? 1, 1e-5, pattern) }
        }
        out.expect("one fused allreduce of all 6 gradients")
        let synced = out.expect(matching: #"after one more backward outside noSync: +\[(-?[\d.]+), (-?[\d.]+)\]"#)
        if synced.count == 3 { XCTAssertEqual(synced[1], synced[2], "the ranks agree after the synced backward") }
        let uneven = out.expect(matching: #"rank 0: error after ([\d.]+) s: allreduce: uneven inputs: rank 1 .*step 3"#)
        if uneven.count == 2 { XCTAssertLessThan(Double(uneven[1]) ?? 99, 5, "the hang became an error within seconds") }
    }

    /// Checks an MNIST training printout: a first loss near ln 10, then a test accuracy well
    /// above chance.
    static func checkTraining(_ out: TutorialRunner.Output, file: StaticString = #filePath, line: UInt = #line) {
        let first = numbers(after: "first batch: loss ", in: out.text)
        XCTAssertEqual(first.first ?? 0, Foundation.log(10), accuracy: 0.3, file: file, line: line)
        let epoch = out.expect(matching: #"epoch 1: mean loss ([\d.]+), test accuracy ([\d.]+)"#, file: file, line: line)
        if epoch.count == 3 {
            XCTAssertLessThan(Float(epoch[1]) ?? 9, first.first ?? 0, file: file, line: line)
            XCTAssertGreaterThan(Float(epoch[2]) ?? 0, 0.4, file: file, line: line)
        }
    }

    /// The numbers of the lines marked `// <- the ...` in a tutorial's main.swift (the lines its
    /// error messages must name).
    static func markedLines(in folder: String) throws -> [Int] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let source = try String(contentsOf: root.appendingPathComponent("Tutorials/\(folder)/main.swift"), encoding: .utf8)
        return source.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.contains("// <- the") }.map { $0.offset + 1 }
    }

    /// Every number in `text`, in order.
    static func numbers(in text: String) -> [Float] {
        text.split { !"0123456789.-e".contains($0) }.compactMap { Float($0) }
    }

    /// Every number that follows `marker` in `text`, in order.
    static func numbers(after marker: String, in text: String) -> [Float] {
        text.components(separatedBy: marker).dropFirst().compactMap { part in
            Float(part.prefix { "0123456789.-e".contains($0) })
        }
    }
}
