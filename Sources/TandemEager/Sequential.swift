/// Builds the layer list of a ``Sequential`` from a block of modules.
@resultBuilder
public enum ModuleBuilder {
    /// One module.
    public static func buildExpression(_ module: Module) -> [Module] { [module] }
    /// Several modules (an array literal or a computed list).
    public static func buildExpression(_ modules: [Module]) -> [Module] { modules }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    /// The first branch of an `if`/`else`.
    public static func buildEither(first part: [Module]) -> [Module] { part }
    /// The second branch of an `if`/`else`.
    public static func buildEither(second part: [Module]) -> [Module] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}

/// Modules applied one after another (`torch.nn.Sequential`). Parameters are named by layer
/// index, as in PyTorch: `0.weight`, `0.bias`, `2.weight`, ...
///
/// ```swift
/// let model = Sequential {
///     Linear(784, 512)
///     ReLU()
///     Linear(512, 10)
/// }
/// model.stateDict().keys.sorted()   // ["0.bias", "0.weight", "2.bias", "2.weight"]
/// ```
public final class Sequential: Module {
    /// The layers, in order.
    public private(set) var layers: [Module]

    /// Creates a model from an array of modules.
    public init(_ layers: [Module]) { self.layers = layers }

    /// Creates a model from a block listing its modules.
    public convenience init(@ModuleBuilder _ build: () -> [Module]) { self.init(build()) }

    /// Feeds the input through every layer in order.
    public func forward(_ input: Tensor) -> Tensor {
        var x = input
        for layer in layers { x = layer(x) }
        return x
    }

    /// The layers, named "0", "1", ...
    public var children: [(String, Module)] { layers.enumerated().map { (String($0.offset), $0.element) } }

    /// The number of layers.
    public var count: Int { layers.count }

    /// The layer at an index.
    public subscript(index: Int) -> Module { layers[index] }

    /// Adds a layer at the end.
    public func append(_ module: Module) { layers.append(module) }
}
