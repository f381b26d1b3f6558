import TandemKernels
import XCTest

/// The shape rules of the ops added in the second round (`Primitives/Op+ShapeRules.swift`):
/// results with concrete and unknown (-1) dims, and every error, with the reason it gives.
final class ShapeRuleAddedOpsTests: XCTestCase {
    private let u = unknownDim

    private func rejects(_ op: Op, _ shapes: [[Int]], _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try op.outputShape(shapes), "\(op) \(shapes)", file: file, line: line) { error in
            let message = (error as? ShapeRuleError)?.reason ?? "\(error)"
            XCTAssertTrue(message.contains(reason), "\(op) \(shapes): \(message)", file: file, line: line)
        }
    }

    func testElementwiseAndComparisons() throws {
        for op in [Op.less, .greater, .equal, .clampBackward(min: 0, max: 1), .leakyReluBackward(negativeSlope: 0.1), .geluBackward] {
            XCTAssertEqual(try op.outputShape([[u, 1, 3], [4, 1]]), [u, 4, 3])
            rejects(op, [[2, 3], [4]], "cannot be broadcast")
        }
        for op in [Op.abs, .sign, .gelu, .leakyRelu(negativeSlope: 0.2), .clamp(min: 0, max: nil)] {
            XCTAssertEqual(try op.outputShape([[u, 0, 2]]), [u, 0, 2])
        }
        rejects(.clamp(min: nil, max: nil), [[2]], "at least one of min and max")
        XCTAssertEqual(try Op.movingAverage(momentum: 0.1).outputShape([[3], [3]]), [3])
        rejects(.movingAverage(momentum: 0.1), [[3], [1]], "the statistic has shape [1]")
    }

    func testNarrowPermuteSqueezeUnsqueeze() throws {
        XCTAssertEqual(try Op.narrow(dim: 1, start: 1, length: 2).outputShape([[u, 4]]), [u, 2])
        XCTAssertEqual(try Op.narrow(dim: -1, start: -4, length: 4).outputShape([[2, 4]]), [2, 4])
        XCTAssertEqual(try Op.narrow(dim: 0, start: 5, length: 9).outputShape([[u, 4]]), [9, 4], "unknown size: checked at run time")
        XCTAssertEqual(try Op.narrow(dim: 0, start: 4, length: 0).outputShape([[4]]), [0])
        rejects(.narrow(dim: 2, start: 0, length: 1), [[2, 4]], "dimension 2 is out of range for rank 2")
        rejects(.narrow(dim: 1, start: 0, length: -1), [[2, 4]], "length must not be negative")
        rejects(.narrow(dim: 1, start: 5, length: 0), [[2, 4]], "start 5 is out of range for dimension 1 of size 4")
        rejects(.narrow(dim: 1, start: -5, length: 1), [[2, 4]], "start -5 is out of range")
        rejects(.narrow(dim: 1, start: 3, length: 2), [[2, 4]], "start (3) + length (2) exceeds dimension 1 of size 4")
        rejects(.narrow(dim: 1, start: 1, length: Int.max), [[2, 4]], "exceeds dimension 1 of size 4")
        XCTAssertEqual(try Op.narrowBackward(dim: 1, start: 1, length: 2).outputShape([[u, 2], [u, 4]]), [u, 4])
        rejects(.narrowBackward(dim: 1, start: 1, length: 2), [[3, 3], [3, 4]], "the gradient has shape [3, 3]")

        XCTAssertEqual(try Op.permute([2, 0, 1]).outputShape([[u, 3, 4]]), [4, u, 3])
        XCTAssertEqual(try Op.permute([-1, 0]).outputShape([[2, 3]]), [3, 2])
        rejects(.permute([0, 1]), [[2, 3, 4]], "do not match the input's 3 dimensions")
        rejects(.permute([0, -2]), [[2, 3]], "repeat a dimension")
        rejects(.permute([0, 2]), [[2, 3]], "dimension 2 is out of range")

        XCTAssertEqual(try Op.squeeze(dim: 1).outputShape([[u, 1, 3]]), [u, 3])
        XCTAssertEqual(try Op.squeeze(dim: -1).outputShape([[u, 3]]), [u, 3], "size 3: unchanged")
        XCTAssertEqual(try Op.squeeze(dim: 0).outputShape([[]]), [])
        rejects(.squeeze(dim: 0), [[u, 3]], "cannot squeeze dimension 0 of unknown size")
        rejects(.squeeze(dim: 2), [[1, 3]], "dimension 2 is out of range")
        XCTAssertEqual(try Op.unsqueeze(dim: 0).outputShape([[u, 3]]), [1, u, 3])
        XCTAssertEqual(try Op.unsqueeze(dim: -1).outputShape([[u, 3]]), [u, 3, 1])
        XCTAssertEqual(try Op.unsqueeze(dim: 0).outputShape([[]]), [1])
        rejects(.unsqueeze(dim: 3), [[2, 3]], "dimension 3 is out of range for rank 3")
    }

    func testGathersAndJoins() throws {
        XCTAssertEqual(try Op.indexSelect(dim: 0).outputShape([[u, 3], [5]]), [5, 3])
        XCTAssertEqual(try Op.indexSelect(dim: -1).outputShape([[u, 3], [u]]), [u, u])
        rejects(.indexSelect(dim: 0), [[4, 3], [2, 2]], "index must be a rank-1 tensor")
        rejects(.indexSelect(dim: 2), [[4, 3], [2]], "dimension 2 is out of range")
        XCTAssertEqual(try Op.indexSelectBackward(dim: 1).outputShape([[4, 2], [2], [4, 3]]), [4, 3])
        rejects(.indexSelectBackward(dim: 1), [[4, 5], [2], [4, 3]], "the gradient has shape [4, 5]")

        XCTAssertEqual(try Op.cat(dim: 1, count: 3).outputShape([[u, 2], [u, 3], [4, 1]]), [4, 6])
        XCTAssertEqual(try Op.cat(dim: 0, count: 2).outputShape([[u, 2], [3, 2]]), [u, 2])
        XCTAssertEqual(try Op.cat(dim: -1, count: 1).outputShape([[2, 2]]), [2, 2])
        rejects(.cat(dim: 0, count: 2), [[2, 3], [2, 4]], "input 1 has shape [2, 4] but input 0 has [2, 3]: sizes must match except in dimension 0")
        rejects(.cat(dim: 0, count: 2), [[2, 3], [2, 3, 1]], "input 1 has rank 3 but input 0 has rank 2")
        rejects(.cat(dim: 0, count: 2), [[], []], "cannot join rank-0 values")
        rejects(.cat(dim: 2, count: 2), [[2, 3], [2, 3]], "dimension 2 is out of range")
        rejects(.cat(dim: 0, count: 0), [], "needs at least one input")
        rejects(.cat(dim: 0, count: 2), [[2]], "expects 2 inputs, got 1")
        XCTAssertEqual(try Op.catBackward(dim: 1, index: 1, count: 2).outputShape([[u, 5], [u, 2], [u, 3]]), [u, 3])
        rejects(.catBackward(dim: 1, index: 2, count: 2), [[2, 5], [2, 2], [2, 3]], "input 2 of 2 does not exist")
        rejects(.catBackward(dim: 1, index: 0, count: 2), [[2, 4], [2, 2], [2, 3]], "the gradient has shape [2, 4]")

        XCTAssertEqual(try Op.stack(dim: 0, count: 2).outputShape([[u, 3], [2, 3]]), [2, 2, 3])
        XCTAssertEqual(try Op.stack(dim: -1, count: 3).outputShape([[2], [2], [2]]), [2, 3])
        XCTAssertEqual(try Op.stack(dim: 0, count: 2).outputShape([[], []]), [2])
        rejects(.stack(dim: 0, count: 2), [[2, 3], [3, 2]], "input 1 has shape [3, 2] but input 0 has [2, 3]: all must match")
        rejects(.stack(dim: 3, count: 2), [[2, 3], [2, 3]], "dimension 3 is out of range for rank 3")

        XCTAssertEqual(try Op.embedding.outputShape([[u, 7], [10, 4]]), [u, 7, 4])
        XCTAssertEqual(try Op.embedding.outputShape([[], [10, 4]]), [4])
        rejects(.embedding, [[3], [10]], "weight must have shape [numEmbeddings, embeddingDim], not [10]")
        XCTAssertEqual(try Op.embeddingBackward.outputShape([[3, 4], [3], [10, 4]]), [10, 4])
        rejects(.embeddingBackward, [[3, 5], [3], [10, 4]], "the gradient has shape [3, 5]")
    }

    func testAveragePooling() throws {
        XCTAssertEqual(try Op.avgPool2d(kernelSize: 2, stride: 2, padding: 0).outputShape([[u, 3, 5, 5]]), [u, 3, 2, 2])
        XCTAssertEqual(try Op.avgPool2d(kernelSize: 3, stride: 2, padding: 1).outputShape([[1, 1, 6, u]]), [1, 1, 3, u])
        rejects(.avgPool2d(kernelSize: 4, stride: 4, padding: 0), [[1, 1, 3, 3]], "kernel 4 is larger than the input (3)")
        rejects(.avgPool2d(kernelSize: 5, stride: 1, padding: 1), [[1, 1, 2, 2]], "kernel 5 is larger than the padded input (4)")
        rejects(.avgPool2d(kernelSize: 0, stride: 1, padding: 0), [[1, 1, 2, 2]], "kernel size (0) and stride (1) must be positive")
        rejects(.avgPool2d(kernelSize: 2, stride: -1, padding: 0), [[1, 1, 2, 2]], "must be positive")
        rejects(.avgPool2d(kernelSize: 2, stride: 1, padding: 2), [[1, 1, 4, 4]], "padding (2) must be between 0 and half the kernel size (1)")
        rejects(.avgPool2d(kernelSize: 2, stride: 1, padding: -1), [[1, 1, 4, 4]], "padding (-1)")
        rejects(.avgPool2d(kernelSize: Int.max, stride: 1, padding: Int.max / 2), [[1, 1, 1 << 40, 4]], "padding \(Int.max / 2) is too large")
        rejects(.avgPool2d(kernelSize: 2, stride: 2, padding: 0), [[4, 4]], "expects an NCHW input of rank 4, got [4, 4]")
        XCTAssertEqual(try Op.avgPool2dBackward(kernelSize: 2, stride: 2, padding: 0).outputShape([[u, 3, 2, 2], [u, 3, 5, 5]]), [u, 3, 5, 5])
        rejects(.avgPool2dBackward(kernelSize: 2, stride: 2, padding: 0), [[1, 3, 3, 3], [1, 3, 5, 5]], "the gradient has shape [1, 3, 3, 3]")
    }

    func testNormalisation() throws {
        XCTAssertEqual(try Op.batchStatistics.outputShape([[u, 4, 5, 5]]), [3, 4])
        XCTAssertEqual(try Op.batchStatistics.outputShape([[u, 4]]), [3, 4])
        rejects(.batchStatistics, [[1, 4]], "expected more than 1 value per channel when training, got input of shape [1, 4]")
        rejects(.batchStatistics, [[1, 4, 1, 1]], "expected more than 1 value per channel")
        rejects(.batchStatistics, [[4]], "expects input of shape [N, C] or [N, C, H, W]")
        XCTAssertEqual(try Op.batchStatisticsBackward.outputShape([[3, 4], [u, 4, 2], [3, 4]]), [u, 4, 2])
        rejects(.batchStatisticsBackward, [[2, 4], [5, 4], [3, 4]], "the gradient has shape [2, 4]")

        let affine = Op.batchNorm(eps: 1e-5, affine: true)
        XCTAssertEqual(try affine.outputShape([[u, 3, 2, 2], [3], [3], [3], [3]]), [u, 3, 2, 2])
        XCTAssertEqual(try Op.batchNorm(eps: 1e-5, affine: false).outputShape([[u, 3], [3], [3]]), [u, 3])
        rejects(affine, [[u, 3], [3], [3], [2], [3]], "the weight (one value per channel of the input) has shape [2] but [3] is expected")
        rejects(affine, [[u, 3], [3], [4], [3], [3]], "the variance")
        rejects(affine, [[3], [3], [3], [3], [3]], "channels in dim 1")
        rejects(Op.batchNorm(eps: 1e-5, affine: false), [[2, 3], [3], [3], [3], [3]], "expects 3 inputs, got 5")
        XCTAssertEqual(try Op.batchNormBackwardReduce(eps: 1e-5).outputShape([[u, 3], [u, 3], [3], [3]]), [2, 3])
        rejects(.batchNormBackwardReduce(eps: 1e-5), [[2, 4], [2, 3], [3], [3]], "the gradient has shape [2, 4]")
        XCTAssertEqual(try Op.batchNormBackwardInput.outputShape([[u, 3, 2], [3]]), [u, 3, 2])
        rejects(.batchNormBackwardInput, [[2, 3], [2]], "the scale has shape [2]")

        let layer = Op.layerNorm(normalizedShape: [3, 4], eps: 1e-5, affine: true)
        XCTAssertEqual(try layer.outputShape([[u, 3, 4], [3, 4], [3, 4]]), [u, 3, 4])
        XCTAssertEqual(try Op.layerNorm(normalizedShape: [4], eps: 1e-5, affine: false).outputShape([[4]]), [4])
        rejects(layer, [[u, 4, 3], [3, 4], [3, 4]], "expected input with shape [*, 3, 4], got [?, 4, 3]")
        rejects(layer, [[4], [3, 4], [3, 4]], "expected input with shape [*, 3, 4], got [4]")
        rejects(layer, [[2, 3, 4], [4], [3, 4]], "the weight has shape [4]")
        rejects(layer, [[2, 3, 4], [3, 4], [3]], "the bias has shape [3]")
        rejects(Op.layerNorm(normalizedShape: [], eps: 1e-5, affine: false), [[2, 3]], "must hold one or more positive sizes")
        rejects(Op.layerNorm(normalizedShape: [0], eps: 1e-5, affine: false), [[2, 0]], "must hold one or more positive sizes")
        XCTAssertEqual(try Op.layerNormBackward(normalizedShape: [4], eps: 1e-5, affine: true).outputShape([[u, 4], [u, 4], [4]]), [u, 4])
        rejects(Op.layerNormBackward(normalizedShape: [4], eps: 1e-5, affine: false), [[2, 5], [2, 4]], "the gradient has shape [2, 5]")
    }

    func testLosses() throws {
        XCTAssertEqual(try Op.nllLoss.outputShape([[u, 5], [u]]), [])
        XCTAssertEqual(try Op.nllLossBackward.outputShape([[u, 5], [u]]), [u, 5])
        rejects(.nllLoss, [[4], [4]], "expects log-probabilities of shape [batch, classes]")
        rejects(.nllLoss, [[4, 5], [4, 1]], "expects labels of shape [batch]")
        rejects(.nllLoss, [[4, 5], [3]], "batch of log-probabilities (4) and labels (3) differ")
        XCTAssertEqual(try Op.binaryCrossEntropyWithLogits.outputShape([[u, 3], [4, 3]]), [])
        rejects(.binaryCrossEntropyWithLogits, [[4, 3], [3]], "targets of shape [3] must have the shape of the logits [4, 3]")
    }
}
