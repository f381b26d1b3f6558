import Foundation
import XCTest

/// Runs every tutorial in quick mode and checks the facts it exists to teach, so the course cannot
/// rot. Expected values are closed forms (d(x²)/dx = 2 at x = 1, 1·1 + 1·2 + 1·3 + 2·1 + ... = 18),
/// never numbers copied from a run. Every comparative claim a tutorial prints ("faster", "the same
/// numbers", "N kernels", "graph/eager = 0.91") is checked against the figures printed with it;
/// each README's output blocks are checked against the run (`ReadmeCheck`); each README exercise
/// with a flag is run with that flag and its stated answer checked (`testTutorialNNExercises`).
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
        try ReadmeCheck.check("01-Tensors", against: out, varying: ["GFLOP/s", "each entry of the result"])
    }

    func testTutorial01Exercises() throws {
        let out = try TutorialRunner.run("tutorial-01-tensors", arguments: ["--size=64"])
        out.expectSuccess()
        out.expect("each entry of the result = 64.0 (a sum of 64 ones)")
    }

    func testTutorial02Autograd() throws {
        let out = try TutorialRunner.run("tutorial-02-autograd")
        out.expectSuccess()
        // By hand and by autograd, the closed form: dL/dw = 2(p - t) x = -4, dL/db = 2(p - t) = -2.
        out.expect("by hand:  dL/dw = dL/dz * x = -4.0   dL/db = dL/dz * 1 = -2.0")
        out.expect("autograd: dL/dw = -4.0   dL/db = -2.0")
        // The tape: what each entry keeps is what PyTorch's save_for_backward keeps.
        // w * x keeps x (for w's gradient) but not w: x wants no gradient (PyTorch's mul, too).
        out.expect("#0 MulBackward(leaf(grad), leaf) keeps: input 1")
        out.expect("#1 AddBackward(#0, leaf(grad)) keeps: nothing")
        out.expect("#2 ReluBackward(#1) keeps: output")
        out.expect("#4 MulBackward(#3, #3) keeps: input 0, input 1")
        let picture = out.expect(matching: #"wrote the tape's picture to (\S+)"#)
        if picture.count == 2 {
            let svg = try String(contentsOfFile: picture[1], encoding: .utf8)
            XCTAssertTrue(svg.contains("<svg") && svg.contains("ReluBackward") && svg.contains("keeps: output"))
        }
        out.expect("y = 1.0")
        out.expect("dy/dx = 2.0")
        out.expect("after a second backward, x.grad = 4.0")
        out.expect("x.grad = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]")
        out.expect("parameter 0: shape [8, 2], gradient shape [8, 2]")
        // The XOR network's loss must fall below its starting value.
        let losses = Self.numbers(after: "loss ", in: out.text)
        XCTAssertGreaterThan(losses.count, 2)
        if let first = losses.first, let last = losses.last { XCTAssertLessThan(last, first) }
        try ReadmeCheck.check("02-Autograd", against: out)
    }

    func testTutorial02Exercises() throws {
        let final = Self.numbers(after: "loss ", in: try TutorialRunner.run("tutorial-02-autograd").text).last ?? 0
        // 1. Without momentum the loss at step 100 is higher.
        let plain = try TutorialRunner.run("tutorial-02-autograd", arguments: ["--momentum=0"])
        plain.expectSuccess()
        XCTAssertGreaterThan(Self.numbers(after: "loss ", in: plain.text).last ?? 0, final)
        // 2. A learning rate of 0: the same loss at every printed step.
        let frozen = try TutorialRunner.run("tutorial-02-autograd", arguments: ["--lr=0"])
        frozen.expectSuccess()
        let losses = Self.numbers(after: "loss ", in: frozen.text)
        XCTAssertEqual(losses.count, 6)
        XCTAssertEqual(Set(losses).count, 1, "every printed loss is the same")
        // 3. b = -2: relu's input is negative, so no gradient reaches w or b.
        let dead = try TutorialRunner.run("tutorial-02-autograd", arguments: ["--b=-2"])
        dead.expectSuccess()
        let grads = dead.expect(matching: #"autograd: dL/dw = (-?[\d.]+)   dL/db = (-?[\d.]+)"#)
        if grads.count == 3 { XCTAssertEqual(Float(grads[1]), 0); XCTAssertEqual(Float(grads[2]), 0) }
        let hand = dead.expect(matching: #"by hand:  dL/dw = dL/dz \* x = (-?[\d.]+)"#)
        if hand.count == 2 { XCTAssertEqual(Float(hand[1]), 0) }
    }

    func testTutorial03GraphSession() throws {
        let out = try TutorialRunner.run("tutorial-03-graph-session")
        out.expectSuccess()
        out.expect("fetched y = 1.0  dy/dx = 2.0")
        out.expect("at x = 3: y = 9.0  dy/dx = 6.0")
        // x = [[1, 1, 1], [2, 2, 2]], w = [1, 2, 3]: scores 6 and 12, loss 18, dloss/dw = column sums.
        out.expect("fetched scores = [6.0, 12.0]  loss = [18.0]  dloss/dw = [3.0, 3.0, 3.0]")
        out.expect("a batch of 5 gives scores of shape [5, 1]")
        // The missing-feed error names the line that created the placeholder (marked in main.swift).
        let marked = try Self.markedLines(in: "03-GraphSession")
        XCTAssertEqual(marked.count, 1)
        out.expect(matching: #"error: node 'x': placeholder 'x' needs a value.*main\.swift:"# + "\(marked.first ?? 0)\\)")
        let fit = out.expect(matching: #"learned weight (-?[\d.]+), bias (-?[\d.]+)"#)
        if fit.count == 3 {
            XCTAssertEqual(Float(fit[1]) ?? 0, 2, accuracy: 0.1)
            XCTAssertEqual(Float(fit[2]) ?? 0, 1, accuracy: 0.2)
        }
        try ReadmeCheck.check("03-GraphSession", against: out)
    }

    func testTutorial03Exercises() throws {
        // 1. lr 0.3 > 2 / 8.4: the loss grows.
        let diverging = try TutorialRunner.run("tutorial-03-graph-session", arguments: ["--lr=0.3"])
        diverging.expectSuccess()
        let losses = Self.numbers(after: "loss ", in: diverging.text)
        XCTAssertGreaterThan(losses.last ?? 0, 1e6 * (losses.first ?? 1))
        // 2. lr 0.2 < 0.238: converges to the same line.
        let stable = try TutorialRunner.run("tutorial-03-graph-session", arguments: ["--lr=0.2"])
        let fit = stable.expect(matching: #"learned weight (-?[\d.]+), bias (-?[\d.]+)"#)
        if fit.count == 3 {
            XCTAssertEqual(Float(fit[1]) ?? 0, 2, accuracy: 0.01)
            XCTAssertEqual(Float(fit[2]) ?? 0, 1, accuracy: 0.02)
        }
        // 3. lr 0: the initial weight and bias, and the initial loss 21 at every step.
        let frozen = try TutorialRunner.run("tutorial-03-graph-session", arguments: ["--lr=0"])
        frozen.expect("learned weight 0.000, bias 0.000")
        XCTAssertEqual(Set(Self.numbers(after: "loss ", in: frozen.text)), [21])
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
        let curve = out.expect(matching: #"wrote the loss curve to (\S+)"#)
        if curve.count == 2 { XCTAssertTrue(try String(contentsOfFile: curve[1], encoding: .utf8).contains("<svg")) }
        try ReadmeCheck.check("04-MLPEager", against: out, varying: ["epoch "])
    }

    func testTutorial04Exercises() throws {
        // 1 and 3. 784*128 + 128 + 128*64 + 64 + 64*10 + 10 weights; the first loss still near ln 10.
        let narrow = try TutorialRunner.run("tutorial-04-mlp-eager", arguments: ["--width=128"])
        narrow.expectSuccess()
        let weights: Int = 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
        narrow.expect("parameters: \(weights)")
        XCTAssertEqual(Self.numbers(after: "first batch: loss ", in: narrow.text).first ?? 0, Foundation.log(10), accuracy: 0.3)
        // 2. lr 0: the test accuracy after the epoch is the accuracy before training.
        let frozen = try TutorialRunner.run("tutorial-04-mlp-eager", arguments: ["--lr=0"])
        let before = frozen.expect(matching: #"accuracy before training: ([\d.]+)"#)
        let after = frozen.expect(matching: #"epoch 1: mean loss [\d.]+, test accuracy ([\d.]+)"#)
        XCTAssertEqual(before.last, after.last)
    }

    func testTutorial05MLPGraph() throws {
        let out = try TutorialRunner.run("tutorial-05-mlp-graph")
        out.expectSuccess()
        out.expect("logits: static shape [?, 10]")
        Self.checkTraining(out)
        // "one training step runs N kernels: F forward and backward, U updates": N is the length of
        // the printed list, N = F + U, and U is one update per variable (three weights, three biases).
        let count = out.expect(matching: #"one training step runs (\d+) kernels: (\d+) forward and backward, (\d+) updates\n  (.*)"#)
        if count.count == 5 {
            let names = count[4].split(separator: " ")
            XCTAssertEqual(Int(count[1]), names.count)
            XCTAssertEqual(Int(count[3]), names.filter { $0.contains("_update") }.count)
            XCTAssertEqual(Int(count[3]), 6)
            XCTAssertEqual((Int(count[2]) ?? 0) + (Int(count[3]) ?? 0), Int(count[1]))
        }
        let curve = out.expect(matching: #"wrote the loss curve to (\S+)"#)
        if curve.count == 2 { XCTAssertTrue(try String(contentsOfFile: curve[1], encoding: .utf8).contains("<svg")) }
        // Same seed, same data order, same ops: the graph computes what the eager MLP computes, to
        // the tolerances the README states (kernels may sum in a different order).
        let eager = try TutorialRunner.run("tutorial-04-mlp-eager")
        let graphFirst = Self.numbers(after: "first batch: loss ", in: out.text)
        let eagerFirst = Self.numbers(after: "first batch: loss ", in: eager.text)
        XCTAssertEqual(graphFirst.count, 1)
        XCTAssertEqual(graphFirst.first ?? 0, eagerFirst.first ?? 1, accuracy: 1e-3)
        let pattern = #"epoch 1: mean loss ([\d.]+), test accuracy ([\d.]+)"#
        let g = out.expect(matching: pattern), e = eager.expect(matching: pattern)
        if g.count == 3 && e.count == 3 {
            XCTAssertEqual(Float(g[1]) ?? 0, Float(e[1]) ?? 1, accuracy: 2e-3, "mean loss")
            XCTAssertEqual(Float(g[2]) ?? 0, Float(e[2]) ?? 1, accuracy: 0.01, "test accuracy")
        }
        try ReadmeCheck.check("05-MLPGraph", against: out, varying: ["epoch "])
    }

    func testTutorial05Exercises() throws {
        // 1. The kernel count does not depend on the width.
        let pattern = #"one training step runs (\d+) kernels"#
        let standard = try TutorialRunner.run("tutorial-05-mlp-graph").expect(matching: pattern)
        let narrow = try TutorialRunner.run("tutorial-05-mlp-graph", arguments: ["--width=128"])
        narrow.expectSuccess()
        XCTAssertEqual(narrow.expect(matching: pattern).last, standard.last)
        // 2. lr 0: accuracy unchanged, as in tutorial 04.
        let frozen = try TutorialRunner.run("tutorial-05-mlp-graph", arguments: ["--lr=0"])
        XCTAssertEqual(frozen.expect(matching: #"accuracy before training: ([\d.]+)"#).last,
            frozen.expect(matching: #"epoch 1: mean loss [\d.]+, test accuracy ([\d.]+)"#).last)
    }

    func testTutorial06CNNKeras() throws {
        let out = try TutorialRunner.run("tutorial-06-cnn-keras")
        out.expectSuccess()
        out.expect("conv2d/kernel [32, 1, 3, 3]")
        out.expect("[5408, 128]")  // 32 channels x 13 x 13 after pooling
        let test = out.expect(matching: #"test loss ([\d.]+), test accuracy ([\d.]+)"#)
        if test.count == 3 { XCTAssertGreaterThan(Float(test[2]) ?? 0, 0.3, "well above chance (0.1)") }
        out.expect("first 8 test digits:")
        // Closed forms: conv 32*9 + 32; dense 5408*128 + 128; dense 128*10 + 10. More than the MLP's.
        let conv: Int = 32 * 9 + 32
        let total: Int = conv + 5408 * 128 + 128 + 128 * 10 + 10
        out.expect("parameters: \(total), of which the convolution's: \(conv) (tutorial 04's MLP: 535818)")
        XCTAssertGreaterThan(total, 535818, "the CNN is not the smaller model")
        // The running example in Keras: the MLP's weights, and the comparison worded from the figures.
        out.expect("MLP parameters: 535818 (tutorial 04's: 535818)")
        let versus = out.expect(matching: #"test accuracy: CNN ([\d.]+), MLP ([\d.]+) on the same \d+ pictures: (.*)"#)
        if versus.count == 4, let cnn = Float(versus[1]), let mlp = Float(versus[2]) {
            XCTAssertEqual(versus[3], cnn > mlp ? "the CNN is more accurate" : cnn < mlp ? "the MLP is more accurate" : "they tie")
        }
        try ReadmeCheck.check("06-CNNKeras", against: out, varying: ["epoch ", "test loss", "the model's guesses", "training on", "test accuracy: CNN"])
    }

    func testTutorial06Exercises() throws {
        let out = try TutorialRunner.run("tutorial-06-cnn-keras", arguments: ["--filters=16"])
        out.expectSuccess()
        out.expect("\"dense/kernel [2704, 128]\"")  // 16 x 13 x 13
        let conv: Int = 16 * 9 + 16
        let total: Int = conv + 2704 * 128 + 128 + 128 * 10 + 10
        out.expect("parameters: \(total), of which the convolution's: \(conv)")
    }

    func testTutorial07CustomFunction() throws {
        let out = try TutorialRunner.run("tutorial-07-custom-function")
        out.expectSuccess()
        let grads = Self.numbers(in: out.expect(matching: #"x\.grad   = \[([^\]]*)\]"#).last ?? "")
        XCTAssertEqual(grads.count, 3)
        for (g, x) in zip(grads, [Float(0), 1, 2]) { XCTAssertEqual(g, Foundation.exp(x), accuracy: 1e-5) }
        // Each analytic derivative agrees with its finite difference, and the difference is of
        // the size Taylor's theorem predicts (h²/6 eˣ) or float32 rounding (5e-5 here).
        let rows = Self.finiteDifferenceRows(out)
        XCTAssertEqual(rows.count, 3)
        for row in rows {
            XCTAssertEqual(row.analytic, row.numeric, accuracy: 2e-3 * row.analytic)
            XCTAssertLessThanOrEqual(abs(row.difference), 2 * row.predicted + 5e-5)
        }
        let composed = Self.numbers(in: out.expect(matching: #"z\.grad   = \[([^\]]*)\]"#).last ?? "")
        XCTAssertEqual(composed.count, 2)
        for (g, z) in zip(composed, [Float(0.5), -0.5]) { XCTAssertEqual(g, Foundation.exp(2 * z + 1), accuracy: 1e-4) }
        try ReadmeCheck.check("07-CustomFunction", against: out, varying: ["difference"])
    }

    func testTutorial07Exercises() throws {
        let out = try TutorialRunner.run("tutorial-07-custom-function", arguments: ["--h=0.1"])
        out.expectSuccess()
        let rows = Self.finiteDifferenceRows(out)
        XCTAssertEqual(rows.count, 3)
        let predicted: Float = 0.01 / 6 * Foundation.exp(Float(2))
        if rows.count == 3 { XCTAssertEqual(rows[2].difference, predicted, accuracy: 0.1 * predicted) }
    }

    /// The rows "x[i]: analytic A, numeric N, difference D (h^2/6 exp(x) = P)" of tutorial 07.
    static func finiteDifferenceRows(_ out: TutorialRunner.Output) -> [(analytic: Float, numeric: Float, difference: Float, predicted: Float)] {
        let regex = try! NSRegularExpression(pattern: #"analytic (-?[\d.]+), numeric (-?[\d.]+), difference (-?[\d.]+) \(h\^2/6 exp\(x\) = (-?[\d.]+)\)"#)
        return regex.matches(in: out.text, range: NSRange(out.text.startIndex..., in: out.text)).map { match in
            let v = (1...4).map { Float(out.text[Range(match.range(at: $0), in: out.text)!]) ?? .nan }
            return (v[0], v[1], v[2], v[3])
        }
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
        // The claim about backward-only checks: bug 2's gradients are all finite.
        out.expect("its weight gradients are all finite: true")
        try ReadmeCheck.check("08-Debugging", against: out)
    }

    func testTutorial08Exercises() throws {
        let out = try TutorialRunner.run("tutorial-08-debugging", arguments: ["--fix"])
        out.expectSuccess()
        out.expect("no error: the output has shape [4, 3]")
        out.expect("no error: the output node has static shape [?, 3]")
        XCTAssertFalse(out.text.contains("input features (5) do not match"))
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
        // The speed claim is worded from the figures it prints: check the words against them.
        let times = out.expect(matching: #"unoptimised ([\d.]+) ms, every pass but CSE ([\d.]+) ms, optimised ([\d.]+) ms per run \(median of \d+\): ([\d.]+)x"#)
        let share = out.expect(matching: #"of the (-?[\d.]+) ms saved, CSE's share is (-?\d+)%: (.*)"#)
        if times.count == 5 && share.count == 4, let slow = Double(times[1]), let noCSE = Double(times[2]), let fast = Double(times[3]) {
            XCTAssertEqual(Double(times[4]) ?? 0, slow / fast, accuracy: 0.01 + 0.001 * slow / fast, "the printed ratio")
            let saved = slow - fast, cse = saved > 0 ? (noCSE - fast) / saved : 0
            XCTAssertEqual(Double(share[1]) ?? 0, saved, accuracy: 0.002)
            XCTAssertEqual(Double(share[2]) ?? 0, (cse * 100).rounded(), accuracy: 1)
            let verdict = share[3]
            if saved <= 0 { XCTAssertTrue(verdict.hasPrefix("no faster")) }
            else if cse > 0.6 { XCTAssertEqual(verdict, "most of it from CSE") }
            else if cse < 0.4 { XCTAssertTrue(verdict.hasPrefix("most of it from the other passes")) }
            else { XCTAssertEqual(verdict, "about half from CSE, half from the other passes") }
        }
        try ReadmeCheck.check("09-GraphOptimisation", against: out, varying: ["unoptimised", "CSE's share", "largest relative difference"])
    }

    func testTutorial09Exercises() throws {
        // Writing the layer once removes its matmul, add and relu from the graph as written; the
        // optimised graph is the same 8 nodes.
        let standard = try TutorialRunner.run("tutorial-09-graph-optimisation")
        let once = try TutorialRunner.run("tutorial-09-graph-optimisation", arguments: ["--once"])
        once.expectSuccess()
        let pattern = #"nodes before optimisation: (\d+), after: (\d+)"#
        let a = standard.expect(matching: pattern), b = once.expect(matching: pattern)
        if a.count == 3 && b.count == 3 {
            XCTAssertEqual(Int(b[1]), (Int(a[1]) ?? 0) - 3)
            XCTAssertEqual(b[2], a[2])
        }
    }

    func testTutorial10Memory() throws {
        let out = try TutorialRunner.run("tutorial-10-memory")
        out.expectSuccess()
        // Without a tape nothing stays alive; with it, one activation per layer (the relu output,
        // which is also the next linear's input), as PyTorch keeps: 6 layers, 6 activations.
        out.expect("held afterwards +0 KiB")
        out.expect("= about 6 activations")
        let steady = out.expect(matching: #"buffers allocated during the step: (\d+)"#)
        if steady.count == 2 { XCTAssertLessThan(Int(steady[1]) ?? 999, 20) }
        // The side-by-side figures and every claim made from them.
        let peaks = out.expect(matching: #"eager peak (\d+) KiB, eager with the step inside backward (\d+) KiB, graph peak (\d+) KiB: graph/eager = ([\d.]+)"#)
        let gap = out.expect(matching: #"of the gap: (-?\d+) KiB a choice eager can make too \(the step inside backward\), (-?\d+) KiB planning"#)
        if peaks.count == 5 && gap.count == 3, let e = Double(peaks[1]), let h = Double(peaks[2]), let g = Double(peaks[3]) {
            XCTAssertEqual(Double(peaks[4]) ?? 0, g / e, accuracy: 0.006)
            XCTAssertEqual((Double(gap[1]) ?? 0) + (Double(gap[2]) ?? 0), e - g, accuracy: 2, "the two parts add up to the gap")
            let why = out.expect(matching: #"why: (.*)"#).last ?? ""
            XCTAssertTrue(why.hasPrefix("Both frontends save for backward what PyTorch saves"), why)
            XCTAssertTrue(why.contains(g <= e ? "lower" : "higher"), why)
            XCTAssertEqual(why.contains("None of it is weight gradients"), e - h <= e / 100, why)
        }
        let losses = out.expect(matching: #"both computed the same loss: ([-\d.e]+) ([-\d.e]+)"#)
        if losses.count == 3 { XCTAssertEqual(Float(losses[1]) ?? 0, Float(losses[2]) ?? 1, accuracy: 1e-6) }
        let steps = out.expect(matching: #"losses, step by step: eager (\[.*\]), step inside backward (\[.*\]), graph"#)
        if steps.count == 3 { XCTAssertEqual(steps[1], steps[2], "stepping inside backward changes memory, not the numbers") }
        try ReadmeCheck.check("10-Memory", against: out, varying: ["KiB", "loss", "why:", "batch"])
    }

    func testTutorial10Exercises() throws {
        // A shallower network keeps one activation per layer: 3 layers, 3 activations.
        let out = try TutorialRunner.run("tutorial-10-memory", arguments: ["--depth=3"])
        out.expectSuccess()
        out.expect("3 layers of 256 units")
        out.expect("= about 3 activations")
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
        try ReadmeCheck.check("11-SavingLoading", against: out)
    }

    func testTutorial11Exercises() throws {
        let out = try TutorialRunner.run("tutorial-11-saving-loading", arguments: ["--fresh-seed=0"])
        out.expectSuccess()
        out.expect("before loading, outputs agree: true")
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
        // "The direction is unchanged": every entry scaled by the same factor, to float rounding.
        let factor = out.expect(matching: #"min\(1, maxNorm / norm\) = ([\d.]+); largest relative deviation of an entry's factor: ([\d.e+-]+)"#)
        if factor.count == 3 && clip.count == 3 {
            XCTAssertEqual(Float(factor[1]) ?? 0, 1 / (Float(clip[1]) ?? 1), accuracy: 1e-5)
            XCTAssertLessThan(Float(factor[2]) ?? 1, 1e-5)
        }
        let diff = out.expect(matching: #"max \|full-batch gradient - accumulated gradient\| = ([-\d.e]+)"#)
        if diff.count == 2 { XCTAssertLessThan(Float(diff[1]) ?? 1, 1e-4) }
        // Float rounding: a few ulps of the largest entry (the README says 4).
        let ulps = out.expect(matching: #"the difference is ([\d.]+) ulps"#)
        if ulps.count == 2 { XCTAssertLessThanOrEqual(Float(ulps[1]) ?? 99, 4) }
        // The safety net: the warning the README shows is really printed.
        out.expect("Tandem warning: optimizer step() uses gradients summed over 2 backward() calls")
        out.expect("zeroGrad() was not called between steps")
        try ReadmeCheck.check("12-ClippingAccumulation", against: out, varying: ["full-batch loss"])
    }

    func testTutorial12Exercises() throws {
        // 1. A limit above the norm: nothing is scaled.
        let loose = try TutorialRunner.run("tutorial-12-clipping-accumulation", arguments: ["--max-norm=1000"])
        loose.expectSuccess()
        let norms = loose.expect(matching: #"gradient norm before clipping: ([\d.]+).*\n.*gradient norm after clipping:  ([\d.]+)"#)
        if norms.count == 3 { XCTAssertEqual(norms[1], norms[2]) }
        loose.expect("min(1, maxNorm / norm) = 1.00000")
        // 2. One micro-batch of 8: the same computation, difference exactly 0.
        let one = try TutorialRunner.run("tutorial-12-clipping-accumulation", arguments: ["--micro=8"])
        one.expect("max |full-batch gradient - accumulated gradient| = 0.0")
        // 3. Micro-batches of 1: still a few ulps.
        let eight = try TutorialRunner.run("tutorial-12-clipping-accumulation", arguments: ["--micro=1"])
        eight.expectSuccess()
        let ulps = eight.expect(matching: #"the difference is ([\d.]+) ulps"#)
        if ulps.count == 2 { XCTAssertLessThanOrEqual(Float(ulps[1]) ?? 99, 4) }
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
