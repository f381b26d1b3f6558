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
            case let .lstm(i, h): return "LSTM(\(i), \(h), batch_first=True)"
            }
        }

        /// The shapes of the layer's weight and bias, if it has parameters.
        public var parameterShapes: (weight: [Int], bias: [Int])? {
            switch self {
            case let .linear(i, o): return ([o, i], [o])
            case let .conv2d(i, o, k, _): return ([o, i, k, k], [o])
            default: return nil
            }
        }

        /// Every parameter's state-dict key suffix and shape, in PyTorch's registration order.
        public var namedParameterShapes: [(name: String, shape: [Int])] {
            if case let .lstm(i, h) = self {
                return [("weight_ih_l0", [4 * h, i]), ("weight_hh_l0", [4 * h, h]), ("bias_ih_l0", [4 * h]), ("bias_hh_l0", [4 * h])]
            }
            guard let shapes = parameterShapes else { return [] }
            return [("weight", shapes.weight), ("bias", shapes.bias)]
        }
    }

    /// The spec for a command-line name: `mlp`, `cnn` (the simple CNN) or `lenet5`.
    public init?(name: String) {
        switch name.lowercased() {
        case "mlp": self = .mlp([784, 512, 256, 10])
        case "cnn", "simplecnn", "simple-cnn": self = .simpleCNN
        case "lenet5", "lenet", "lenet-5": self = .lenet5
        case "lstm": self = .lstm
        default: return nil
        }
    }

    /// A short name: `mlp`, `cnn`, `lenet5`.
    public var name: String {
        switch self {
        case .mlp: return "mlp"
        case .simpleCNN: return "cnn"
        case .lenet5: return "lenet5"
        case .lstm: return "lstm"
        }
    }

    /// A readable description, for example `MLP 784-512-256-10`.
    public var description: String {
        switch self {
        case .mlp(let widths): return "MLP " + widths.map(String.init).joined(separator: "-")
        case .simpleCNN: return "simple CNN (conv 32x3x3, pool, dense 128)"
        case .lenet5: return "LeNet-5"
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
        case .lstm:
            return [.lstm(inputSize: 28, hiddenSize: 64), .linear(inFeatures: 64, outFeatures: 10)]
        }
    }

    /// The shape of one input sample: `[784]` for an MLP on MNIST, `[1, 28, 28]` for the CNNs.
    public var sampleShape: [Int] {
        switch self {
        case .mlp(let widths): return [Self.checked(widths)[0]]
        case .simpleCNN, .lenet5: return [1, 28, 28]
        case .lstm: return [28, 28]
        }
    }

    /// The number of output classes.
    public var classCount: Int {
        switch self {
        case .mlp(let widths): return Self.checked(widths)[widths.count - 1]
        case .simpleCNN, .lenet5, .lstm: return 10
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
    public var parameterNames: [String] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameterShapes.map { "\(index).\($0.name)" }
        }
    }

    /// The number of trainable scalars.
    public var parameterCount: Int {
        layers.flatMap(\.namedParameterShapes).reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Draws PyTorch's default initial weights once, from a generator seeded with `seed`: for each
    /// layer in order, the weight (kaiming-uniform, a = sqrt(5)) then the bias (uniform in
    /// ±1/sqrt(fan_in)); an LSTM's four parameters uniform in ±1/sqrt(hidden). Both frontends
    /// start from these same arrays.
    ///
    /// - Returns: (state-dict key, value) pairs in `parameterNames` order.
    public func initialWeights(seed: UInt64) -> [(name: String, value: NDArray)] {
        let generator = Generator(seed: seed)
        var weights: [(name: String, value: NDArray)] = []
        for (index, layer) in layers.enumerated() {
            if case let .lstm(_, hidden) = layer {
                let bound = 1 / Float(hidden).squareRoot()
                for (name, shape) in layer.namedParameterShapes {
                    weights.append(("\(index).\(name)", Initializer.uniform(shape, low: -bound, high: bound, generator: generator)))
                }
                continue
            }
            guard let shapes = layer.parameterShapes else { continue }
            let weight = Initializer.kaimingUniform(shapes.weight, generator: generator)
            let bias = Initializer.biasUniform(
                shapes.bias[0], fanIn: Initializer.fans(shapes.weight).fanIn, generator: generator)
            weights.append(("\(index).weight", weight))
            weights.append(("\(index).bias", bias))
        }
        return weights
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
