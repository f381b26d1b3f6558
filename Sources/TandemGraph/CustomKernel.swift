import Foundation

/// A graph op whose kernel a library above TandemGraph supplies (TensorFlow's custom ops, the
/// mechanism Horovod uses to put its allreduce into TF graphs).
///
/// TandemGraph knows nothing of what the kernel does: ``Graph/custom(_:_:name:file:line:)``
/// records a node (running ``outputShape(_:)`` at once, like a primitive's shape rule), a
/// ``Session`` calls ``evaluate(_:nodes:)`` when a fetch needs the value, DOT output draws it by
/// ``name``, and graph files save the name and ``attributes``; loading such a file needs the
/// kernel's factory registered with ``CustomKernels/register(_:factory:)``.
///
/// Custom nodes have no gradient rule: `gradients(of:with:)` does not differentiate through them.
///
/// ```swift
/// final class Scale: CustomKernel {
///     let name = "scale"
///     func outputShape(_ inputShapes: [[Int]]) throws -> [Int] { inputShapes[0] }
///     func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray { ... }
/// }
/// let y = g.custom(Scale(), [x])
/// ```
public protocol CustomKernel: AnyObject {
    /// The kernel's registered name, the same for every instance (for example `allreduce`): the
    /// node kind shown in errors and DOT, and the key of its factory when a graph file is loaded.
    var name: String { get }
    /// What, with ``name``, rebuilds an equivalent kernel from a graph file (empty by default).
    var attributes: [String: String] { get }
    /// The output's static shape for inputs of these static shapes (`unknownDim` marks a
    /// dimension known only at run time); throw a `ShapeRuleError` to reject the inputs.
    ///
    /// - Parameter inputShapes: the inputs' static shapes.
    func outputShape(_ inputShapes: [[Int]]) throws -> [Int]
    /// Computes the output from the inputs' values.
    ///
    /// - Parameters:
    ///   - inputs: the values of the node's inputs (for a fused call: the first inputs of every
    ///     fused node concatenated into one flat vector, then their other inputs).
    ///   - nodes: the graph nodes this call computes (several when fused), for error messages.
    /// - Returns: the value (for a fused call: one flat vector, split back by the session).
    func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray
    /// A key under which several nodes of this kernel may run as one call (nil: never fused).
    ///
    /// Only a kernel whose output has its first input's shape, and whose result for an element
    /// does not depend on how the elements are arranged (an allreduce, an elementwise op), may
    /// return one. The ``GraphOptimizer/Options/customKernelFusion`` pass then computes nodes of
    /// the same key, whose values are first needed after the last of them is ready, with one
    /// call on their first inputs concatenated, up to ``fusionThresholdBytes``. Any further
    /// inputs of such a kernel only order it after them (control dependencies).
    var fusionKey: String? { get }
    /// The largest fused first-input size in bytes (see ``fusionKey``).
    var fusionThresholdBytes: Int { get }
}

extension CustomKernel {
    /// No attributes.
    public var attributes: [String: String] { [:] }
    /// Never fused.
    public var fusionKey: String? { nil }
    /// No fusion.
    public var fusionThresholdBytes: Int { 0 }
}

/// The factories that rebuild custom kernels when a graph file is loaded, by kernel name.
///
/// A library that supplies kernels registers them once (TandemDistributed does so whenever it
/// creates one); a graph file whose kernel is not registered fails to load with an error naming
/// the kernel and the node.
public enum CustomKernels {
    private static let lock = NSLock()
    private static var factories: [String: ([String: String]) throws -> CustomKernel] = [:]

    /// Registers (or replaces) the factory of kernels named `name`.
    ///
    /// - Parameters:
    ///   - name: the kernels' ``CustomKernel/name``.
    ///   - factory: builds a kernel from saved ``CustomKernel/attributes``; throws on bad ones.
    public static func register(_ name: String, factory: @escaping ([String: String]) throws -> CustomKernel) {
        lock.lock()
        defer { lock.unlock() }
        factories[name] = factory
    }

    /// The factory registered for `name`, if any.
    static func factory(_ name: String) -> (([String: String]) throws -> CustomKernel)? {
        lock.lock()
        defer { lock.unlock() }
        return factories[name]
    }
}

extension Graph {
    /// Adds a node computed by a custom kernel (TensorFlow's custom op); runs the kernel's shape
    /// rule now, so an impossible shape is reported at the line that built it.
    ///
    /// - Parameters:
    ///   - kernel: computes the node's value when a session runs it.
    ///   - inputs: the nodes it reads, all of this graph.
    ///   - name: the node's name (default: the kernel's name; made unique with a suffix).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func custom(
        _ kernel: CustomKernel, _ inputs: [Node], name: String? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        let location = SourceLocation(file, line)
        let name = name ?? kernel.name
        if let stranger = inputs.first(where: { !$0.belongs(to: self) }) {
            let error = TandemError.graph(
                node: stranger.name, reason: "\(kernel.name) mixes nodes of two different graphs", location: location)
            ErrorScope.report(error)
            return addNode(.custom(kernel), inputs.filter { $0.belongs(to: self) }, name: name, shape: [], location: location, poison: error)
        }
        if let poisoned = inputs.first(where: { $0.poison != nil }) {
            return addNode(.custom(kernel), inputs, name: name, shape: [], location: location, poison: poisoned.poison)
        }
        do {
            let shape = try kernel.outputShape(inputs.map(\.staticShape))
            return addNode(.custom(kernel), inputs, name: name, shape: shape, location: location)
        } catch {
            let reason = (error as? ShapeRuleError)?.reason ?? "\(error)"
            let tandemError = TandemError.shapeMismatch(op: kernel.name, shapes: inputs.map(\.shape), reason: reason, location: location)
            ErrorScope.report(tandemError)
            return addNode(.custom(kernel), inputs, name: name, shape: [], location: location, poison: tandemError)
        }
    }
}
