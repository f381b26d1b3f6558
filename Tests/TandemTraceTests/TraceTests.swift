import XCTest
@testable import TandemTrace

/// Every elementwise, reduction, shape and normalisation op the recorder can meet, in one forward.
final class OpZoo: Module {
    let w = Tensor(shape: [6, 6], scalars: testValues(36, seed: 7), requiresGrad: true)
    let gamma = Tensor(shape: [6], scalars: testValues(6, seed: 8, low: 0.5, high: 1.5), requiresGrad: true)

    func forward(_ x: Tensor) -> Tensor {
        let a = x.matmul(w)
        let b = (a.sigmoid() + a.tanh() - a.exp() * 0.1) / (a.abs() + 1)
        let c = (b * b + 1).log().sqrt().pow(2) - 0.5
        let d = -c.leakyRelu(negativeSlope: 0.2).gelu().clamp(min: -0.5, max: 2)
        let e = d.transpose(0, 1).permute([1, 0]).reshape([2, 12]).reshape([4, 6])
        let f = cat([e.narrow(dim: 1, start: 3, length: 3), e.narrow(dim: 1, start: 0, length: 3)], dim: 1)
        let g = stack([f, f * 2], dim: 0).sum(dim: 0).unsqueeze(dim: 0).squeeze(dim: 0)
        let h = g.softmax(dim: 1) + g.logSoftmax(dim: 1) + g.mean(dim: 1, keepDim: true) + g.max(dim: 1, keepDim: true)
        let mask = h.greater(Tensor(zeros: [6])) + h.less(Tensor(zeros: [6])) * 0.5 + h.sign() * 0.25
        let n = layerNorm(h * mask, normalizedShape: [6], weight: gamma, bias: nil)
        return n + g.sum() * 0.01 + g.mean() * 0.01 + g.max() * 0.01
    }
}

/// Average pooling and batch norm with running statistics (buffers), which training mode updates in place.
final class NormNet: Module {
    let conv = Conv2d(2, 3, kernelSize: 3, padding: 1)
    let runningMean = Tensor(zeros: [3])
    let runningVar = Tensor(ones: [3])
    let weight = Tensor(shape: [3], scalars: [1, 0.5, 2], requiresGrad: true)
    let bias = Tensor(shape: [3], scalars: [0, 0.1, -0.1], requiresGrad: true)

    func forward(_ x: Tensor) -> Tensor {
        let h = batchNorm(conv(x), runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias, training: isTraining)
        return avgPool2d(h.relu(), kernelSize: 2, stride: 2).flatten(startDim: 1)
    }
}

final class TraceTests: XCTestCase {
    func testTracedMLPMatchesEager() throws {
        let model = makeMLP()
        let x = testTensor([5, 12])
        let traced = try trace(model, example: x)
        assertClose(try traced(x).scalars, model(x).scalars)
        let other = testTensor([5, 12], seed: 3)
        assertClose(try traced(other).scalars, model(other).scalars)
        XCTAssertEqual(traced.retraceCount, 0)
        XCTAssertEqual(traced.graph.variables.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
    }

    func testTracedCNNMatchesEager() throws {
        let model = makeCNN()
        let x = testTensor([2, 1, 10, 10])
        let traced = try trace(model, example: x)
        let y = testTensor([2, 1, 10, 10], seed: 5)
        assertClose(try traced(y).scalars, model(y).scalars)
        let kinds = Set(traced.graph.nodes.compactMap { $0.op?.name })
        for kind in ["conv2d", "relu", "max_pool2d", "flatten", "linear"] {
            XCTAssertTrue(kinds.contains(kind), "no \(kind) node in \(kinds.sorted())")
        }
    }

    func testEveryRecordedOpKindMatchesEager() throws {
        let model = OpZoo()
        let x = testTensor([4, 6])
        let traced = try trace(model, example: x)
        let y = testTensor([4, 6], seed: 11)
        assertClose(try traced(y).scalars, model(y).scalars, tolerance: 1e-5)
        // One graph node per eager op: none of the forward's ops was left out.
        XCTAssertGreaterThan(traced.graph.nodes.filter { $0.op != nil }.count, 40)
    }

    func testBatchNormRunningStatisticsBecomeUpdateOps() throws {
        manualSeed(3)
        let model = NormNet()
        let x = testTensor([4, 2, 4, 4])
        let traced = try trace(model, example: x)
        XCTAssertEqual(traced.graph.updateOps.count, 2)
        // The trace ran the module once (updating its buffers); the graph starts from the values before.
        let meanAfterTrace = model.runningMean.array.scalars
        let y = testTensor([4, 2, 4, 4], seed: 4)
        let tracedOut = try traced(y).scalars
        let eagerOut = model(y).scalars
        assertClose(tracedOut, eagerOut)
        XCTAssertNotEqual(meanAfterTrace, [0, 0, 0])
        let mean = try traced.session.value(of: traced.graph.variables.first { $0.name == "runningMean" }!).scalars
        let eager = model.runningMean.array.scalars
        // The graph's running mean started at 0 and took one update (y); the eager one took two
        // (x during the trace, then y): new = 0.9 * old + 0.1 * batch mean, so they differ by 0.9 * m(x).
        assertClose(zip(eager, meanAfterTrace).map { $0 - 0.9 * $1 }, mean, tolerance: 1e-5)

        model.eval()
        let evalTraced = try trace(model, example: x)
        XCTAssertTrue(evalTraced.graph.updateOps.isEmpty)
        assertClose(try evalTraced(y).scalars, model(y).scalars)
    }

    func testModuleErrorsThrowWithTheOp() {
        let model = makeMLP()
        XCTAssertThrowsError(try trace(model, example: testTensor([5, 7]))) { error in
            XCTAssertTrue("\(error)".contains("linear"), "\(error)")
        }
    }

    func testTensorsMadeInsideForwardAreFrozenConstants() throws {
        final class Shift: Module {
            var offset: Float = 1
            func forward(_ x: Tensor) -> Tensor { x + Tensor(shape: [3], scalars: [offset, offset, offset]) }
            var namedParameters: [(String, Tensor)] { [] }
            var children: [(String, Module)] { [] }
        }
        let model = Shift()
        let traced = try trace(model, example: Tensor(zeros: [2, 3]))
        model.offset = 5
        XCTAssertEqual(try traced(Tensor(zeros: [2, 3])).scalars, [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(model(Tensor(zeros: [2, 3])).scalars, [5, 5, 5, 5, 5, 5])
    }
}
