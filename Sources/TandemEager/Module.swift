/// A neural-network building block (`torch.nn.Module`): a function of a tensor with parameters.
///
/// Conform by implementing ``forward(_:)`` (or `callAsFunction(_:)` directly). Parameters and
/// sub-modules stored in properties are found automatically, under their property names, so
/// state-dict keys match PyTorch's for the same attribute names:
///
/// ```swift
/// final class MLP: Module {
///     let fc1 = Linear(784, 128)
///     let fc2 = Linear(128, 10)
///     func forward(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
/// }
/// MLP().stateDict().keys.sorted()   // ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
/// ```
///
/// A stored `Tensor` counts as a parameter when it is a leaf that requires a gradient (PyTorch's
/// `nn.Parameter`); a stored `Module`, optional module or array of modules is a child (arrays are
/// named `name.0`, `name.1`, ... like `nn.ModuleList`).
public protocol Module: AnyObject {
    /// Applies the module: runs ``forward(_:)`` and then any forward hooks (PyTorch's `__call__`).
    ///
    /// NOTE: disfavoured so that `model(x)` picks the overload that records the caller's line
    /// (`callAsFunction(_:file:line:)`), which then calls this requirement.
    @_disfavoredOverload func callAsFunction(_ input: Tensor) -> Tensor
    /// Every parameter of this module and its children, each once, in registration order.
    var parameters: [Tensor] { get }
    /// The parameters with their dotted names (`named_parameters()`): `0.weight`, `fc1.bias`.
    var namedParameters: [(String, Tensor)] { get }
    /// The direct sub-modules with their names (`named_children()`).
    var children: [(String, Module)] { get }
    /// The non-trainable state of this module and its children with dotted names
    /// (`named_buffers()`): batch norm's `running_mean`, `running_var`, `num_batches_tracked`.
    /// Buffers are in the state dict but not in ``parameters``.
    var namedBuffers: [(String, Tensor)] { get }
    /// The computation (PyTorch's `forward`); `callAsFunction` wraps it with hooks.
    func forward(_ input: Tensor) -> Tensor
    /// Whether the module is in training mode (the default) or evaluation mode.
    var isTraining: Bool { get }
    /// Sets training mode (`true`) or evaluation mode (`false`) on this module and all children.
    func train(_ mode: Bool)
}

extension Module {
    /// Runs ``forward(_:)``, then the forward hooks registered on this module.
    @_disfavoredOverload
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let output = forward(input)
        if ModuleRegistry.forwardHookCount > 0 { ModuleRegistry.runForwardHooks(self, input, output) }
        return output
    }

    /// Conforming types implement `forward(_:)` or `callAsFunction(_:)`.
    public func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) must implement forward(_:) or callAsFunction(_:)")
    }

    /// Every parameter, each once (a parameter shared by two layers is listed once, as in PyTorch).
    public var parameters: [Tensor] { namedParameters.map(\.1) }

    /// The parameters found by reflection: stored trainable tensors, then each child's, prefixed.
    public var namedParameters: [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        for (name, value) in reflectedProperties(of: self) {
            if let tensor = value as? Tensor, tensor.isLeaf, tensor.requiresGrad,
                seen.insert(ObjectIdentifier(tensor)).inserted
            {
                result.append((name, tensor))
            }
        }
        for (name, child) in children {
            for (key, tensor) in child.namedParameters where seen.insert(ObjectIdentifier(tensor)).inserted {
                result.append((name + "." + key, tensor))
            }
        }
        return result
    }

    /// The tensors held in this module's own stored properties (its class's and superclasses'),
    /// by property name, whatever their role: parameters, buffers, constants. Tracing binds the
    /// ones that are not parameters as untrained graph variables.
    public var storedTensors: [(String, Tensor)] {
        reflectedProperties(of: self).compactMap { name, value in (value as? Tensor).map { (name, $0) } }
    }

    /// The sub-modules found by reflection, in declaration order.
    public var children: [(String, Module)] {
        var result: [(String, Module)] = []
        for (name, value) in reflectedProperties(of: self) {
            if let module = value as? Module {
                result.append((name, module))
            } else if let modules = value as? [Module] {
                for (i, module) in modules.enumerated() { result.append((name + ".\(i)", module)) }
            }
        }
        return result
    }

    /// The children's buffers, prefixed with the child's name (a module with buffers of its own,
    /// such as ``BatchNorm2d``, lists them itself).
    public var namedBuffers: [(String, Tensor)] {
        children.flatMap { name, child in child.namedBuffers.map { (name + "." + $0.0, $0.1) } }
    }

    /// Whether the module is in training mode (true until ``eval()`` or `train(false)`).
    public var isTraining: Bool { ModuleRegistry.isTraining(self) }

    /// Sets training or evaluation mode on this module and every child (`module.train(mode)`).
    public func train(_ mode: Bool) {
        ModuleRegistry.setTraining(self, mode)
        for (_, child) in children { child.train(mode) }
    }

    /// Puts the module in training mode (`module.train()`): dropout is active.
    public func train() { train(true) }

    /// Puts the module in evaluation mode (`module.eval()`): dropout passes values through.
    public func eval() { train(false) }

    /// Sets the gradient of every parameter to nil (`module.zero_grad()`).
    public func zeroGrad() {
        for parameter in parameters { parameter.grad = nil }
    }

    /// Every module in the tree with its dotted name, this one first as "" (`named_modules()`).
    public var namedModules: [(String, Module)] {
        var result: [(String, Module)] = [("", self)]
        for (name, child) in children {
            result += child.namedModules.map { ($0.0.isEmpty ? name : name + "." + $0.0, $0.1) }
        }
        return result
    }
}

/// The stored properties of an object (its class and superclasses), skipping compiler-made ones.
private func reflectedProperties(of object: AnyObject) -> [(String, Any)] {
    var result: [(String, Any)] = []
    var mirror: Mirror? = Mirror(reflecting: object)
    var levels: [Mirror] = []
    while let current = mirror {
        levels.append(current)
        mirror = current.superclassMirror
    }
    // Superclass properties first, as Python registers them in the base __init__ first.
    for level in levels.reversed() {
        for child in level.children {
            guard let label = child.label, !label.hasPrefix("$") else { continue }
            result.append((label.hasPrefix("_") ? String(label.dropFirst()) : label, child.value))
        }
    }
    return result
}
