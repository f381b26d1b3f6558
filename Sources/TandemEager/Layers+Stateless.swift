/// Max pooling over square windows of NCHW input (`torch.nn.MaxPool2d`).
public final class MaxPool2d: Module {
    /// The window's height and width.
    public let kernelSize: Int
    /// The step between windows.
    public let stride: Int

    /// Creates a pooling layer; the stride defaults to the kernel size, as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    /// The maximum of each window.
    public func forward(_ input: Tensor) -> Tensor { maxPool2d(input, kernelSize: kernelSize, stride: stride) }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// Average pooling over square windows of NCHW input (`torch.nn.AvgPool2d`, no padding).
public final class AvgPool2d: Module {
    /// The window's height and width.
    public let kernelSize: Int
    /// The step between windows.
    public let stride: Int

    /// Creates a pooling layer; the stride defaults to the kernel size, as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0, "AvgPool2d(kernelSize: \(kernelSize), stride: \(stride.map(String.init) ?? "nil")): sizes must be positive")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    /// The mean of each window.
    public func forward(_ input: Tensor) -> Tensor {
        Tensor.apply(.avgPool2d(kernelSize: kernelSize, stride: stride, padding: 0), [input], at: ModuleCallSite.current)
    }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// Merges the dimensions from `startDim` on into one (`torch.nn.Flatten`, start_dim 1 by
/// default, so the batch dimension is kept).
public final class Flatten: Module {
    /// The first dimension to merge.
    public let startDim: Int

    /// Creates a flattening layer.
    public init(startDim: Int = 1) { self.startDim = startDim }

    /// `[batch, c, h, w]` -> `[batch, c · h · w]` for the default `startDim`.
    public func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim) }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// The rectifier `max(x, 0)` (`torch.nn.ReLU`).
public final class ReLU: Module {
    /// Creates the layer.
    public init() {}
    /// max(x, 0), elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.relu() }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// The logistic function `1 / (1 + e^-x)` (`torch.nn.Sigmoid`).
public final class Sigmoid: Module {
    /// Creates the layer.
    public init() {}
    /// The logistic function, elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// The hyperbolic tangent (`torch.nn.Tanh`).
public final class Tanh: Module {
    /// Creates the layer.
    public init() {}
    /// tanh, elementwise.
    public func forward(_ input: Tensor) -> Tensor { input.tanh() }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// Inverted dropout (`torch.nn.Dropout`): in training mode each element is zeroed with
/// probability `p` and the rest scaled by 1 / (1 - p); in evaluation mode values pass through.
/// Masks come from the global generator (see `manualSeed`).
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Float

    /// Creates a dropout layer (PyTorch's default p is 0.5); `p` must be in [0, 1].
    public init(p: Float = 0.5) {
        precondition(p >= 0 && p <= 1, "Dropout(p: \(p)): dropout probability has to be between 0 and 1")
        self.p = p
    }

    /// Drops elements in training mode; the identity in evaluation mode.
    public func forward(_ input: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return input }
        if !GradMode.isEnabled { Diagnostics.trainingModeInEvaluation(self) }
        return dropout(input, p: p)
    }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}
