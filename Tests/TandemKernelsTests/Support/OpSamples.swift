import TandemKernels

/// One op of every case (with variants where an attribute changes the inputs), and inputs each
/// accepts: the table the fact, serialization and gradient-read tests run over.
///
/// `inputs(for:)` switches over `Op` with no `default`, and `OpFactsTests` checks that `every`
/// covers every `Op.Kind`, so a new primitive does not compile, or does not pass, until it has a
/// sample here.
enum OpSamples {
    static let every: [Op] = [
        .add, .sub, .mul, .div, .less, .greater, .equal,
        .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .abs, .sign, .leakyRelu(negativeSlope: 0.2), .gelu,
        .clamp(min: -0.5, max: 0.5), .clamp(min: nil, max: 0.25), .clamp(min: -0.25, max: nil),
        .addScalar(1), .mulScalar(2), .pow(2), .reluBackward, .clampBackward(min: -0.5, max: 0.5),
        .clampBackward(min: nil, max: 0.25), .leakyReluBackward(negativeSlope: 0.2), .geluBackward,
        .sum(dim: nil, keepDim: false), .sum(dim: 1, keepDim: true), .mean(dim: 0, keepDim: true),
        .max(dim: 1, keepDim: false), .max(dim: nil, keepDim: false), .argmax(dim: 0),
        .expandLike(dim: 1, keepDim: false, mean: true), .maxBackward(dim: 1, keepDim: false),
        .reshape([3, -1]), .flatten(startDim: 0), .reshapeLike, .transpose(0, 1), .broadcastLike, .reduceLike,
        .narrow(dim: 1, start: 1, length: 2), .narrow(dim: -1, start: -2, length: 1),
        .narrowBackward(dim: 1, start: 1, length: 2), .permute([1, 0]), .squeeze(dim: 1), .unsqueeze(dim: -1),
        .indexSelect(dim: 1), .indexSelectBackward(dim: 1), .cat(dim: 1, count: 2), .cat(dim: 0, count: 3),
        .catBackward(dim: 1, index: 1, count: 2), .stack(dim: 1, count: 2), .embedding, .embeddingBackward,
        .matmul, .linear(transposedWeight: true, activation: .relu), .linear(transposedWeight: false, activation: .identity),
        .softmax(dim: 1), .logSoftmax(dim: 0), .conv2d(stride: 1, padding: 1),
        .conv2dBackwardInput(stride: 1, padding: 1), .conv2dBackwardWeight(stride: 1, padding: 1),
        .maxPool2d(kernelSize: 2, stride: 2), .maxPool2dBackward(kernelSize: 2, stride: 2),
        .avgPool2d(kernelSize: 2, stride: 2, padding: 1), .avgPool2dBackward(kernelSize: 2, stride: 2, padding: 1),
        .batchStatistics, .batchStatisticsBackward, .batchNorm(eps: 1e-5, affine: true), .batchNorm(eps: 1e-3, affine: false),
        .batchNormBackwardReduce(eps: 1e-5), .batchNormBackwardInput, .movingAverage(momentum: 0.1),
        .layerNorm(normalizedShape: [3], eps: 1e-5, affine: true), .layerNorm(normalizedShape: [2, 3], eps: 1e-5, affine: false),
        .layerNormBackward(normalizedShape: [3], eps: 1e-5, affine: true),
        .layerNormBackward(normalizedShape: [3], eps: 1e-5, affine: false),
        .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward, .binaryCrossEntropyWithLogits,
        .bernoulliMask(p: 0.5), .zerosLike, .fusedElementwise([.relu, .exp]), .fusedElementwise([.abs, .sign, .neg]),
    ]

    /// Inputs `op` accepts (shapes small, values valid for every op: positive where a log or
    /// square root needs it, distinct where a maximum must be unique, whole numbers for indices).
    static func inputs(for op: Op) -> [NDArray] {
        let matrix = randomArray([2, 3], awayFromZero: 0.1, seed: 1)
        let other = randomArray([2, 3], awayFromZero: 0.1, seed: 2)
        let row = randomArray([3], awayFromZero: 0.3, seed: 3)
        let images = randomArray([4, 3, 2, 2], seed: 4)
        let channels = randomArray([3], seed: 5), positiveChannels = randomArray([3], in: 0.5...2, seed: 6)
        let labels = randomLabels(4, classes: 5, seed: 7)
        switch op {
        case .add, .sub, .mul, .less, .greater, .equal: return [matrix, row]
        case .div: return [matrix, row]
        case .neg, .relu, .sigmoid, .tanh, .exp, .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar, .mulScalar, .pow,
            .bernoulliMask, .zerosLike, .fusedElementwise, .softmax, .logSoftmax, .transpose, .narrow, .permute,
            .unsqueeze, .reshape, .flatten:
            return [matrix]
        case .log, .sqrt: return [randomArray([2, 3], in: 0.5...2, seed: 8)]
        case .reluBackward, .clampBackward, .leakyReluBackward, .geluBackward: return [other, matrix]
        case .sum, .mean, .max, .argmax: return [distinctArray([2, 3], seed: 9)]
        case .expandLike, .maxBackward: return [randomArray([2], seed: 10), distinctArray([2, 3], seed: 9)]
        case .reshapeLike: return [matrix, NDArray(zeros: [6])]
        case .broadcastLike: return [row, matrix]
        case .reduceLike: return [matrix, row]
        case .narrowBackward: return [randomArray([2, 2], seed: 11), matrix]
        case .squeeze: return [randomArray([2, 1, 3], seed: 12)]
        case .indexSelect: return [matrix, NDArray(shape: [4], scalars: [2, 0, 2, 1])]
        case .indexSelectBackward: return [randomArray([2, 4], seed: 13), NDArray(shape: [4], scalars: [2, 0, 2, 1]), matrix]
        case .cat(_, let count):
            return count == 2 ? [matrix, randomArray([2, 1], seed: 14)] : [matrix, other, randomArray([1, 3], seed: 15)]
        case .catBackward: return [randomArray([2, 4], seed: 16), matrix, randomArray([2, 1], seed: 14)]
        case .stack: return [matrix, other]
        case .embedding: return [NDArray(shape: [2, 2], scalars: [3, 0, 3, 1]), randomArray([4, 3], seed: 17)]
        case .embeddingBackward:
            return [randomArray([2, 2, 3], seed: 18), NDArray(shape: [2, 2], scalars: [3, 0, 3, 1]), NDArray(zeros: [4, 3])]
        case .matmul: return [matrix, randomArray([3, 4], seed: 19)]
        case .linear(let transposed, _):
            return [matrix, randomArray(transposed ? [4, 3] : [3, 4], seed: 20), randomArray([4], seed: 21)]
        case .conv2d: return [randomArray([1, 2, 4, 4], seed: 22), randomArray([3, 2, 3, 3], seed: 23)]
        case .conv2dBackwardInput:
            return [randomArray([1, 3, 4, 4], seed: 24), randomArray([3, 2, 3, 3], seed: 23), randomArray([1, 2, 4, 4], seed: 22)]
        case .conv2dBackwardWeight:
            return [randomArray([1, 2, 4, 4], seed: 22), randomArray([1, 3, 4, 4], seed: 24), randomArray([3, 2, 3, 3], seed: 23)]
        case .maxPool2d: return [distinctArray([1, 2, 4, 4], seed: 25)]
        case .maxPool2dBackward: return [randomArray([1, 2, 2, 2], seed: 26), distinctArray([1, 2, 4, 4], seed: 25)]
        case .avgPool2d: return [randomArray([1, 2, 4, 4], seed: 27)]
        case .avgPool2dBackward: return [randomArray([1, 2, 3, 3], seed: 28), NDArray(zeros: [1, 2, 4, 4])]
        case .batchStatistics: return [images]
        case .batchStatisticsBackward:
            return [randomArray([3, 3], seed: 29), images, try! Op.batchStatistics.evaluate([images])]
        case .batchNorm(_, let affine):
            return [images, channels, positiveChannels] + (affine ? [randomArray([3], seed: 30), randomArray([3], seed: 31)] : [])
        case .batchNormBackwardReduce: return [randomArray([4, 3, 2, 2], seed: 32), images, channels, positiveChannels]
        case .batchNormBackwardInput: return [randomArray([4, 3, 2, 2], seed: 32), channels]
        case .movingAverage: return [channels, positiveChannels]
        case let .layerNorm(shape, _, affine):
            let x = randomArray([2] + (shape.count == 1 ? [2, 3] : shape), seed: 33)
            return [x] + (affine ? [randomArray(shape, seed: 34), randomArray(shape, seed: 35)] : [])
        case .layerNormBackward(_, _, let affine):
            return [randomArray([2, 3], seed: 36), randomArray([2, 3], seed: 33)] + (affine ? [randomArray([3], seed: 34)] : [])
        case .crossEntropy, .crossEntropyBackward, .nllLoss: return [randomArray([4, 5], seed: 37), labels]
        case .nllLossBackward: return [NDArray(zeros: [4, 5]), labels]
        case .binaryCrossEntropyWithLogits: return [matrix, randomArray([2, 3], in: 0...1, seed: 38)]
        }
    }
}
