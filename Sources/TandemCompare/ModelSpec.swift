import Foundation

/// One description of a model that both frontends build from: the layers of a PyTorch
/// `nn.Sequential`, their initial weights (drawn once, as PyTorch would), and a forward pass written
/// once for any `TensorExpression` (see `ModelSpec+Forward.swift`).
///
/// ```swift
/// let spec = ModelSpec.mlp([784, 512, 256, 10])
/// let weights = spec.initialWeights(seed: 0)      // "0.weight", "0.bias", "2.weight", ...
/// ```
public enum ModelSpec: Hashable, Sendable, CustomStringConvertible {
    /// Fully connected layers of the given widths with ReLU between them (no activation after the last).
    case mlp([Int])
    /// The Keras tutorial CNN: Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Flatten, Linear(5408, 128), ReLU,
    /// Linear(128, 10).
    case simpleCNN
    /// LeNet-5 with ReLU and max pooling: Conv2d(1, 6, 5, padding 2), ReLU, MaxPool2d(2),
    /// Conv2d(6, 16, 5), ReLU, MaxPool2d(2), Flatten, Linear(400, 120), ReLU, Linear(120, 84), ReLU,
    /// Linear(84, 10).
    case lenet5
    /// A small ResNet-style network for 2 cores: Conv2d(1, 8, 3, padding=1), BatchNorm2d(8), ReLU,
    /// MaxPool2d(2), two residual blocks of 8 channels on 14x14 (`BasicBlock`: conv-BN-ReLU-conv-BN,
    /// plus the input, ReLU), global average pooling, Linear(8, 10).
    case resnet
    /// Digits read row by row: an LSTM over 28 steps of 28 pixels (hidden 64), its last hidden
    /// state into Linear(64, 10). Eager runs the time loop as a Swift `for`, the graph as one
    /// `whileLoop`.
    case lstm

    /// One layer of the sequential model (its index is its PyTorch state-dict prefix).
    public enum Layer: Hashable, Sendable, CustomStringConvertible {
        /// `nn.Linear(inFeatures, outFeatures)`.
        case linear(inFeatures: Int, outFeatures: Int)
        /// `nn.Conv2d(inChannels, outChannels, kernelSize, padding=padding)`.
        case conv2d(inChannels: Int, outChannels: Int, kernelSize: Int, padding: Int)
        /// `nn.ReLU()`.
        case relu
        /// `nn.MaxPool2d(kernelSize)`.
        case maxPool2d(kernelSize: Int)
        /// `nn.Flatten()` (from dimension 1).
        case flatten
        /// `nn.BatchNorm2d(features)`: weight 1 and bias 0 (trained), running mean 0 and running
        /// variance 1 (buffers moved in training, read in evaluation).
        case batchNorm2d(features: Int)
        /// torchvision's `BasicBlock` keeping `channels`: `conv1` (3x3, padding 1, no bias), `bn1`,
        /// ReLU, `conv2`, `bn2`, plus the block's input, ReLU.
        case residualBlock(channels: Int)
        /// `nn.AdaptiveAvgPool2d(1)` then `nn.Flatten()`: the mean of each channel, `[N, C]`.
        case globalAvgPool2d
        /// `nn.LSTM(inputSize, hiddenSize, batch_first=True)` over `[batch, time, inputSize]`,
        /// keeping the last hidden state `[batch, hiddenSize]` (`h_n[0]`).
        case lstm(inputSize: Int, hiddenSize: Int)

        /// PyTorch's printed form, for example `Linear(784, 512)`.
        public var description: String {
            switch self {
            case let .linear(i, o): return "Linear(\(i), \(o))"
            case let .conv2d(i, o, k, p): return "Conv2d(\(i), \(o), \(k)\(p > 0 ? ", padding=\(p)" : ""))"
            case .relu: return "ReLU()"
            case .maxPool2d(let k): return "MaxPool2d(\(k))"
            case .flatten: return "Flatten()"
            case .batchNorm2d(let c): return "BatchNorm2d(\(c))"
            case .residualBlock(let c): return "BasicBlock(\(c))"
            case .globalAvgPool2d: return "AdaptiveAvgPool2d(1)+Flatten()"
            case let .lstm(i, h): return "LSTM(\(i), \(h), batch_first=True)"
            }
        }

        /// The shapes of the layer's weight and bias, if it has exactly these two parameters
        /// (a residual block has several: see `tensors`).
        public var parameterShapes: (weight: [Int], bias: [Int])? {
            switch self {
            case let .linear(i, o): return ([o, i], [o])
            case let .conv2d(i, o, k, _): return ([o, i, k, k], [o])
            case .batchNorm2d(let c): return ([c], [c])
            case .relu, .maxPool2d, .flatten, .residualBlock, .globalAvgPool2d, .lstm: return nil
            }
        }

        /// Every tensor the layer owns, in PyTorch's state-dict order, keyed below the layer's index.
        public var tensors: [LayerTensor] {
            func batchNorm(_ prefix: String, _ c: Int) -> [LayerTensor] {
                [
                    LayerTensor(name: prefix + "weight", shape: [c], initial: .ones),
                    LayerTensor(name: prefix + "bias", shape: [c], initial: .zeros),
                    LayerTensor(name: prefix + "running_mean", shape: [c], initial: .zeros, isBuffer: true),
                    LayerTensor(name: prefix + "running_var", shape: [c], initial: .ones, isBuffer: true),
                ]
            }
            switch self {
            case .linear, .conv2d:
                let (weight, bias) = parameterShapes!
                return [
                    LayerTensor(name: "weight", shape: weight, initial: .kaimingUniform),
                    LayerTensor(name: "bias", shape: bias, initial: .biasUniform(fanIn: Initializer.fans(weight).fanIn)),
                ]
            case .batchNorm2d(let c):
                return batchNorm("", c)
            case .residualBlock(let c):
                let conv = LayerTensor(name: "conv1.weight", shape: [c, c, 3, 3], initial: .kaimingUniform)
                var conv2 = conv
                conv2.name = "conv2.weight"
                return [conv] + batchNorm("bn1.", c) + [conv2] + batchNorm("bn2.", c)
            case let .lstm(inputSize, hiddenSize):
                // PyTorch's nn.LSTM: every tensor uniform in ±1/sqrt(hidden), gates stacked i, f, g, o.
                let bound = 1 / Float(hiddenSize).squareRoot()
                return [
                    LayerTensor(name: "weight_ih_l0", shape: [4 * hiddenSize, inputSize], initial: .uniform(bound: bound)),
                    LayerTensor(name: "weight_hh_l0", shape: [4 * hiddenSize, hiddenSize], initial: .uniform(bound: bound)),
                    LayerTensor(name: "bias_ih_l0", shape: [4 * hiddenSize], initial: .uniform(bound: bound)),
                    LayerTensor(name: "bias_hh_l0", shape: [4 * hiddenSize], initial: .uniform(bound: bound)),
                ]
            case .relu, .maxPool2d, .flatten, .globalAvgPool2d:
                return []
            }
        }
    }

    /// A tensor a layer owns: a trained parameter or a buffer (batch norm's running statistics).
    public struct LayerTensor: Hashable, Sendable {
        /// How the tensor starts.
        public enum Initial: Hashable, Sendable {
            /// PyTorch's default weight: kaiming-uniform with a = sqrt(5), drawn from the seeded generator.
            case kaimingUniform
            /// PyTorch's default bias: uniform in ±1/sqrt(fanIn), drawn from the seeded generator.
            case biasUniform(fanIn: Int)
            /// Uniform in ±bound, drawn from the seeded generator (an LSTM's tensors).
            case uniform(bound: Float)
            /// All ones (batch norm's weight and running variance).
            case ones
            /// All zeros (batch norm's bias and running mean).
            case zeros
        }

        /// The key below the layer's index, for example `weight` or `bn1.running_mean`.
        public var name: String
        /// The shape.
        public var shape: [Int]
        /// How it starts.
        public var initial: Initial
        /// Whether it is a buffer (state that is not trained, such as a running mean).
        public var isBuffer = false
    }

    /// The spec for a command-line name: `mlp`, `cnn` (the simple CNN) or `lenet5`.
    public init?(name: String) {
        switch name.lowercased() {
        case "mlp": self = .mlp([784, 512, 256, 10])
        case "cnn", "simplecnn", "simple-cnn": self = .simpleCNN
        case "lenet5", "lenet", "lenet-5": self = .lenet5
        case "resnet": self = .resnet
        case "lstm": self = .lstm
        default: return nil
        }
    }

    /// A short name: `mlp`, `cnn`, `lenet5`, `resnet`.
    public var name: String {
        switch self {
        case .mlp: return "mlp"
        case .simpleCNN: return "cnn"
        case .lenet5: return "lenet5"
        case .resnet: return "resnet"
        case .lstm: return "lstm"
        }
    }

    /// A readable description, for example `MLP 784-512-256-10`.
    public var description: String {
        switch self {
        case .mlp(let widths): return "MLP " + widths.map(String.init).joined(separator: "-")
        case .simpleCNN: return "simple CNN (conv 32x3x3, pool, dense 128)"
        case .lenet5: return "LeNet-5"
        case .resnet: return "ResNet-style (conv 8, BN, 2 residual blocks, global avg pool)"
        case .lstm: return "LSTM 28x28 rows, hidden 64"
        }
    }

    /// The layers, in `nn.Sequential` order.
    public var layers: [Layer] {
        switch self {
        case .mlp(let widths):
            let widths = Self.checked(widths)
            var layers: [Layer] = []
            for i in 0..<(widths.count - 1) {
                layers.append(.linear(inFeatures: widths[i], outFeatures: widths[i + 1]))
                if i < widths.count - 2 { layers.append(.relu) }
            }
            return layers
        case .simpleCNN:
            return [
                .conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, padding: 0), .relu, .maxPool2d(kernelSize: 2),
                .flatten, .linear(inFeatures: 5408, outFeatures: 128), .relu, .linear(inFeatures: 128, outFeatures: 10),
            ]
        case .lenet5:
            return [
                .conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), .relu, .maxPool2d(kernelSize: 2),
                .conv2d(inChannels: 6, outChannels: 16, kernelSize: 5, padding: 0), .relu, .maxPool2d(kernelSize: 2),
                .flatten, .linear(inFeatures: 400, outFeatures: 120), .relu, .linear(inFeatures: 120, outFeatures: 84),
                .relu, .linear(inFeatures: 84, outFeatures: 10),
            ]
        case .resnet:
            return [
                .conv2d(inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1), .batchNorm2d(features: 8), .relu,
                .maxPool2d(kernelSize: 2), .residualBlock(channels: 8), .residualBlock(channels: 8), .globalAvgPool2d,
                .linear(inFeatures: 8, outFeatures: 10),
            ]
        case .lstm:
            return [.lstm(inputSize: 28, hiddenSize: 64), .linear(inFeatures: 64, outFeatures: 10)]
        }
    }

    /// The shape of one input sample: `[784]` for an MLP on MNIST, `[1, 28, 28]` for the CNNs.
    public var sampleShape: [Int] {
        switch self {
        case .mlp(let widths): return [Self.checked(widths)[0]]
        case .simpleCNN, .lenet5, .resnet: return [1, 28, 28]
        case .lstm: return [28, 28]
        }
    }

    /// The number of output classes.
    public var classCount: Int {
        switch self {
        case .mlp(let widths): return Self.checked(widths)[widths.count - 1]
        case .simpleCNN, .lenet5, .resnet, .lstm: return 10
        }
    }

    /// The widths of an MLP, checked: at least an input and an output width, none negative.
    private static func checked(_ widths: [Int]) -> [Int] {
        precondition(
            widths.count >= 2 && widths.allSatisfy { $0 >= 0 },
            "ModelSpec.mlp(\(widths)): needs at least an input and an output width, none negative")
        return widths
    }

    /// The parameter names in state-dict order, with PyTorch's keys (`0.weight`, `0.bias`, ...).
    public var parameterNames: [String] { tensorEntries.filter { !$0.isBuffer }.map(\.name) }

    /// The buffer names in state-dict order (batch norm's `1.running_mean`, `1.running_var`, ...);
    /// empty for a model without batch norm.
    public var bufferNames: [String] { tensorEntries.filter(\.isBuffer).map(\.name) }

    /// Whether a layer behaves differently in training and in evaluation (batch norm).
    public var hasTrainingState: Bool { !bufferNames.isEmpty }

    /// The number of trainable scalars.
    public var parameterCount: Int {
        tensorEntries.filter { !$0.isBuffer }.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Every tensor of every layer with its full key (`4.bn1.weight`), in state-dict order.
    var tensorEntries: [LayerTensor] {
        layers.enumerated().flatMap { index, layer in
            layer.tensors.map { tensor -> LayerTensor in
                var keyed = tensor
                keyed.name = "\(index).\(tensor.name)"
                return keyed
            }
        }
    }

    /// Draws PyTorch's default initial weights once, from a generator seeded with `seed`: for each
    /// layer in order, each weight (kaiming-uniform, a = sqrt(5)) and bias (uniform in
    /// ±1/sqrt(fan_in)); batch norm starts at weight 1, bias 0, as PyTorch; an LSTM's four tensors
    /// uniform in ±1/sqrt(hidden). Both frontends start from these same arrays.
    ///
    /// - Returns: (state-dict key, value) pairs in `parameterNames` order.
    public func initialWeights(seed: UInt64) -> [(name: String, value: NDArray)] {
        let generator = Generator(seed: seed)
        return tensorEntries.filter { !$0.isBuffer }.map { tensor in
            (tensor.name, Self.initialValue(tensor, generator))
        }
    }

    /// The buffers' starting values (running mean 0, running variance 1), in `bufferNames` order.
    public func initialBuffers() -> [(name: String, value: NDArray)] {
        let generator = Generator(seed: 0)
        return tensorEntries.filter(\.isBuffer).map { ($0.name, Self.initialValue($0, generator)) }
    }

    private static func initialValue(_ tensor: LayerTensor, _ generator: Generator) -> NDArray {
        switch tensor.initial {
        case .kaimingUniform: return Initializer.kaimingUniform(tensor.shape, generator: generator)
        case .biasUniform(let fanIn): return Initializer.biasUniform(tensor.shape.reduce(1, *), fanIn: fanIn, generator: generator)
        case .uniform(let bound): return Initializer.uniform(tensor.shape, low: -bound, high: bound, generator: generator)
        case .ones: return NDArray(ones: tensor.shape)
        case .zeros: return NDArray(zeros: tensor.shape)
        }
    }
}

/// A model's parameters as values of one frontend (eager tensors or graph variables), by
/// state-dict key, so one generic forward pass can read them.
public struct Parameters<T> {
    /// The keys, in state-dict order.
    public let names: [String]
    /// The values, parallel to `names`.
    public let values: [T]
    private let index: [String: Int]

    /// Pairs names with values (same count).
    public init(names: [String], values: [T]) {
        precondition(names.count == values.count, "Parameters: \(names.count) names but \(values.count) values")
        self.names = names
        self.values = values
        self.index = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in
            preconditionFailure("Parameters: the name \(names[first]) appears twice in \(names)")
        }
    }

    /// Wraps initial weights with a frontend's constructor (for example `{ Tensor($1, requiresGrad: true) }`).
    public init(_ weights: [(name: String, value: NDArray)], _ make: (String, NDArray) throws -> T) rethrows {
        self.init(names: weights.map(\.name), values: try weights.map { try make($0.name, $0.value) })
    }

    /// The value stored under a state-dict key such as `"0.weight"`.
    public subscript(_ name: String) -> T {
        guard let i = index[name] else { preconditionFailure("Parameters: no parameter named \(name); have \(names)") }
        return values[i]
    }
}
