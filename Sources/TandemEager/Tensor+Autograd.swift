extension Tensor {
    /// Computes the gradient of this tensor with respect to every leaf that requires one, and adds
    /// it into their ``grad`` (`tensor.backward()`).
    ///
    /// - Parameters:
    ///   - gradient: the gradient of the final objective with respect to this tensor; required
    ///     unless the tensor holds a single element (then it is 1).
    ///   - retainGraph: keep the saved values so that `backward` can run through the same graph
    ///     again. Otherwise they are freed, and a second backward reports PyTorch's error.
    ///   - file: the caller's file, quoted in errors (default `#fileID`).
    ///   - line: the caller's line, quoted in errors (default `#line`).
    ///
    /// Errors (no gradient to compute, a non-scalar without `gradient`, a freed graph, an anomaly)
    /// are reported through `ErrorScope`: wrap the call in `try checked { }` to catch them.
    ///
    /// ```swift
    /// let y = x * 2                       // x: [3], requiresGrad
    /// y.backward(Tensor(shape: [3], scalars: [1, 1, 1]))
    /// ```
    public func backward(
        _ gradient: Tensor? = nil, retainGraph: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        if isPlaceholder || (ErrorState.pending && ErrorState.stillFailing()) { return }
        let location = SourceLocation(file, line)
        guard requiresGrad else {
            ErrorScope.report(.autograd(
                reason: "element 0 of tensors does not require grad and does not have a grad_fn", location: location))
            return
        }
        let seed: NDArray
        if let gradient {
            if gradient.isPlaceholder { return }
            guard gradient.shape == shape else {
                ErrorScope.report(.shapeMismatch(
                    op: "backward", shapes: [shape, gradient.shape].map { $0.map(Optional.some) },
                    reason: "Mismatch in shape: the gradient has shape \(formatShape(gradient.shape)) "
                        + "and the output has shape \(formatShape(shape))",
                    location: location))
                return
            }
            seed = gradient.array
        } else {
            guard count == 1 else {
                ErrorScope.report(.autograd(
                    reason: "grad can be implicitly created only for scalar outputs (this tensor has shape "
                        + "\(formatShape(shape)); pass the gradient: backward(gradient))",
                    location: location))
                return
            }
            seed = NDArray(repeating: 1, shape: shape)
        }
        Autograd.run(from: self, seed: seed, retainGraph: retainGraph, location: location)
    }

    /// A tensor sharing these values but cut off from the tape (`tensor.detach()`).
    public func detach() -> Tensor {
        let result = Tensor(result: array, node: nil)
        OpRecording.recorder?.recordDetach(result, of: self)
        return result
    }

    /// Asks a non-leaf tensor to keep its ``grad`` after backward (`tensor.retain_grad()`);
    /// leaves keep theirs anyway.
    public func retainGrad() {
        node?.retained = self
    }

    /// Sets ``grad`` to nil (PyTorch's `zero_grad(set_to_none=True)`, the default).
    public func zeroGrad() {
        grad = nil
    }

    /// Registers a hook called with the gradient of this tensor each time one is computed,
    /// before it is used (`tensor.register_hook`). The hook may return a replacement gradient,
    /// or nil to keep it. For a leaf the hook runs before the gradient is added into ``grad``.
    ///
    /// ```swift
    /// let handle = h.registerHook { g in print("grad of h:", g); return nil }
    /// let clipped = w.registerHook { g in g * 0.5 }
    /// handle.remove()
    /// ```
    @discardableResult
    public func registerHook(_ hook: @escaping GradientHook) -> HookHandle {
        let id = HookHandle.nextID()
        if let node {
            node.hooks = (node.hooks ?? []) + [(id, hook)]
            return HookHandle { [weak node] in node?.hooks?.removeAll { $0.id == id } }
        }
        hooks = (hooks ?? []) + [(id, hook)]
        return HookHandle { [weak self] in self?.hooks?.removeAll { $0.id == id } }
    }

    /// Registers a hook called with this leaf tensor right after a backward pass has added its
    /// gradient into ``grad`` (`tensor.register_post_accumulate_grad_hook`).
    ///
    /// A leaf's gradient is complete as soon as the last recorded op that reads the leaf has been
    /// differentiated, so the hook runs while backward is still working on earlier layers: data
    /// parallel training uses it to start averaging a layer's gradients across processes while
    /// the rest of backward runs.
    ///
    /// ```swift
    /// weight.registerPostAccumulateGradHook { w in print("gradient of w ready:", w.grad!.shape) }
    /// ```
    ///
    /// Registering on a non-leaf tensor is an error (reported through `ErrorScope`), as in PyTorch.
    ///
    /// - Parameters:
    ///   - hook: called with this tensor after its `grad` was updated.
    ///   - file: the caller's file, quoted in errors (default `#fileID`).
    ///   - line: the caller's line, quoted in errors (default `#line`).
    @discardableResult
    public func registerPostAccumulateGradHook(
        _ hook: @escaping PostAccumulateGradHook, file: StaticString = #fileID, line: UInt = #line
    ) -> HookHandle {
        let id = HookHandle.nextID()
        guard node == nil else {
            ErrorScope.report(.autograd(
                reason: "post accumulate grad hooks cannot be registered on non-leaf tensors",
                location: SourceLocation(file, line)))
            return HookHandle {}
        }
        postAccumulateHooks = (postAccumulateHooks ?? []) + [(id, hook)]
        return HookHandle { [weak self] in self?.postAccumulateHooks?.removeAll { $0.id == id } }
    }
}

/// Removes a registered hook (`torch.utils.hooks.RemovableHandle`).
public final class HookHandle {
    private var onRemove: (() -> Void)?

    init(_ onRemove: @escaping () -> Void) { self.onRemove = onRemove }

    /// Unregisters the hook; later calls do nothing.
    public func remove() {
        onRemove?()
        onRemove = nil
    }

    private static var counter = 0
    static func nextID() -> Int {
        counter += 1
        return counter
    }
}

/// The reverse-mode engine: walks the tape from a root in reverse topological order.
enum Autograd {
    /// Whether a backward pass is running (its ops are not checked as forward anomalies).
    static var isRunning = false
    private static var passCounter = 0

    static func run(from root: Tensor, seed: NDArray, retainGraph: Bool, location: SourceLocation) {
        passCounter += 1
        let pass = passCounter
        var leaves: [Tensor] = []
        defer {
            for leaf in leaves { leaf.pendingGrad = nil }
        }

        guard let rootNode = root.node else {
            // A leaf that requires grad: its gradient is the seed.
            root.passMark = pass
            root.pendingGrad = seed
            leaves.append(root)
            do throws(TandemError) {
                try finishLeaf(root)
            } catch {
                ErrorScope.report(error)
            }
            return
        }

        // Reverse topological order by an iterative depth-first walk (no recursion limit, and
        // the pass number marks visited nodes, so no set is allocated). Each leaf counts the
        // recorded ops that read it, so that its gradient is final (and its hooks run) as soon
        // as the last of them is differentiated, while backward goes on with earlier layers.
        var order: [TapeNode] = []
        var stack: [(node: TapeNode, next: Int)] = [(rootNode, 0)]
        rootNode.passMark = pass
        while let top = stack.last {
            let node = top.node, next = top.next
            if node.isFreed {
                ErrorScope.report(.autograd(
                    reason: "Trying to backward through the graph a second time (or directly access saved "
                        + "tensors after they have already been freed): the values saved by \(node.backwardName) "
                        + "(the \(node.opName) at \(node.location.map(String.init(describing:)) ?? "an operator")) "
                        + "were freed by an earlier backward(). Specify retainGraph: true if you need to "
                        + "backward through the graph a second time",
                    location: location))
                return
            }
            if next < node.inputs.count {
                stack[stack.count - 1].next = next + 1
                let input = node.inputs[next]
                if let child = input.node {
                    if child.passMark != pass {
                        child.passMark = pass
                        stack.append((child, 0))
                    }
                } else if input.requiresGrad {
                    if input.edgePass != pass {
                        input.edgePass = pass
                        input.pendingEdges = 0
                    }
                    input.pendingEdges += 1
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }

        let savedMode = GradMode.isEnabled
        GradMode.isEnabled = false
        isRunning = true
        defer {
            GradMode.isEnabled = savedMode
            isRunning = false
        }
        rootNode.pendingGrad = seed
        for node in order.reversed() {
            guard var g = node.pendingGrad else {
                do throws(TandemError) {
                    try releaseLeaves(of: node, pass: pass)
                } catch {
                    for node in order { node.pendingGrad = nil }
                    ErrorScope.report(error)
                    return
                }
                if !retainGraph { node.free() }
                continue
            }
            node.pendingGrad = nil
            do throws(TandemError) {
                if let hooks = node.hooks { g = try runHooks(hooks, g, node.location) }
                if let retained = node.retained { try addGrad(g, into: retained) }
                let grads = try node.inputGradients(g)
                for (input, grad) in zip(node.inputs, grads) {
                    guard let grad, input.requiresGrad else { continue }
                    if grad.shape != input.shape {
                        throw .autograd(
                            reason: "the gradient rule of \(node.opName) produced shape \(formatShape(grad.shape)) "
                                + "for an input of shape \(formatShape(input.shape))",
                            location: node.location)
                    }
                    if AnomalyMode.isEnabled && !OptimizerKernels.isFinite(grad) {
                        throw .nonFinite(
                            op: node.opName, phase: "backward",
                            shapes: node.inputs.map { $0.shape.map(Optional.some) }, location: node.location)
                    }
                    if let child = input.node {
                        add(grad, into: &child.pendingGrad)
                    } else if input.passMark != pass {
                        input.passMark = pass
                        input.pendingGrad = grad
                        leaves.append(input)
                    } else {
                        add(grad, into: &input.pendingGrad)
                    }
                }
                try releaseLeaves(of: node, pass: pass)
            } catch {
                for node in order { node.pendingGrad = nil }
                ErrorScope.report(error)
                return
            }
            if !retainGraph { node.free() }
        }
    }

    /// Counts off the leaves `node` reads; a leaf that no other op of this pass still owes a
    /// gradient is finished at once.
    private static func releaseLeaves(of node: TapeNode, pass: Int) throws(TandemError) {
        for input in node.inputs where input.node == nil && input.edgePass == pass {
            input.pendingEdges -= 1
            if input.pendingEdges == 0 && input.passMark == pass { try finishLeaf(input) }
        }
    }

    /// Runs a leaf's gradient hooks, adds its gradient of this pass into `.grad`, then runs its
    /// post-accumulate hooks.
    private static func finishLeaf(_ leaf: Tensor) throws(TandemError) {
        guard var g = leaf.pendingGrad else { return }
        leaf.pendingGrad = nil
        if let hooks = leaf.hooks { g = try runHooks(hooks, g, nil) }
        try addGrad(g, into: leaf)
        leaf.gradPasses += 1
        if let hooks = leaf.postAccumulateHooks {
            for (_, hook) in hooks { hook(leaf) }
        }
    }

    private static func runHooks(
        _ hooks: [(id: Int, hook: GradientHook)], _ g: NDArray, _ location: SourceLocation?
    ) throws(TandemError) -> NDArray {
        var g = g
        for (_, hook) in hooks {
            if let replacement = hook(Tensor(result: g, node: nil)) {
                guard replacement.shape == g.shape else {
                    throw .autograd(
                        reason: "a hook returned a gradient of shape \(formatShape(replacement.shape)) "
                            + "for one of shape \(formatShape(g.shape))",
                        location: location)
                }
                g = replacement.array
            }
        }
        return g
    }

    /// Adds a gradient into a tensor's `.grad` (in place when it owns its storage).
    ///
    /// Throws when the existing `.grad` has another shape: the tensor's `array` was replaced by
    /// one of a new shape since the last backward.
    private static func addGrad(_ g: NDArray, into tensor: Tensor) throws(TandemError) {
        guard let existing = tensor.grad, !existing.isPlaceholder else {
            tensor.grad = Tensor(result: g.contiguous(), node: nil)
            return
        }
        guard existing.shape == g.shape else {
            throw .autograd(
                reason: "cannot add a gradient of shape \(formatShape(g.shape)) into the existing grad of shape "
                    + "\(formatShape(existing.shape)) (the tensor's values changed shape since the last backward; "
                    + "call zeroGrad() first)",
                location: nil)
        }
        OptimizerKernels.accumulate(&existing.array, g)
    }

    private static func add(_ g: NDArray, into slot: inout NDArray?) {
        if slot == nil {
            slot = g
        } else {
            OptimizerKernels.accumulate(&slot!, g)
        }
    }
}
