import Foundation

/// A session's training state beyond its variables: the global step increment, and each train
/// op's optimizer slots (TF1 keeps these in slot variables saved by `tf.train.Saver`; Tandem keeps
/// them in the session, readable and restorable here and saved in graph files).
extension Session {
    /// The largest step a float32 global step counts exactly (2^24); one more would be lost.
    static let largestGlobalStep: Float = 16_777_216

    /// Adds one to the global step variable `v` (a train op's last effect).
    func incrementGlobalStep(_ v: Int, at node: Node) throws(TandemError) {
        guard let current = variableValues[v] else { throw Session.uninitialized(graph.variables[v]) }
        let step = current.scalar
        guard step < Session.largestGlobalStep else {
            throw Session.error(
                at: node,
                "the global step '\(graph.variables[v].name)' reached \(Int(step)); a float32 step cannot count further exactly")
        }
        variableValues[v] = NDArray(step + 1)
    }

    /// Throws unless every existing slot of update part `k` has the variable's shape, so an
    /// update never reads or writes past a buffer.
    func checkSlots(_ state: OptimizerSlots, part k: Int, fit shape: [Int], at node: Node) throws(TandemError) {
        for (name, buffer) in [("momentum", state.momentum[k]), ("m", state.m[k]), ("v", state.v[k])] {
            guard let buffer, buffer.shape != shape else { continue }
            throw Session.error(
                at: node, "optimizer slot '\(name)' of shape \(formatShape(buffer.shape)) for a variable of shape \(formatShape(shape))")
        }
    }

    // MARK: Optimizer slots

    /// The optimizer state of a train op in this session (TF1's slot variables), keyed
    /// `<variable name>/<slot>`: `momentum` (Momentum), `m` and `v` (Adam, AdamW), `rms` and
    /// `momentum` (RMSProp, the latter when its momentum is not 0), and `step`, the
    /// variable's step count (rank 0). Empty before the train op first runs.
    ///
    /// ```swift
    /// let slots = try session.optimizerSlots(of: train)
    /// slots["dense/kernel/momentum"]       // the momentum accumulator of variable dense/kernel
    /// ```
    ///
    /// - Parameter trainOp: a node returned by `minimize` or `applyGradients` on this session's graph.
    public func optimizerSlots(of trainOp: Node) throws -> [String: NDArray] {
        let update = try trainUpdate(trainOp)
        guard let state = optimizerSlots[trainOp.id] else { return [:] }
        var result: [String: NDArray] = [:]
        for (k, v) in update.variables.enumerated() {
            let name = graph.variables[v].name
            if let momentum = state.momentum[k] { result["\(name)/momentum"] = momentum }
            if let m = state.m[k] { result["\(name)/m"] = m }
            if let v = state.v[k] {
                if case .rmsprop = update.rule { result["\(name)/rms"] = v } else { result["\(name)/v"] = v }
            }
            if state.steps[k] > 0 { result["\(name)/step"] = NDArray(Float(state.steps[k])) }
        }
        return result
    }

    /// Restores a train op's optimizer state written by ``optimizerSlots(of:)`` (replacing the
    /// current one), so training resumes with identical numbers. Nothing changes unless every
    /// key names a slot of this train op's optimizer and every buffer has its variable's shape.
    ///
    /// - Parameters:
    ///   - slots: the state, keyed as ``optimizerSlots(of:)`` writes it.
    ///   - trainOp: a node returned by `minimize` or `applyGradients` on this session's graph.
    public func loadOptimizerSlots(_ slots: [String: NDArray], of trainOp: Node) throws {
        let update = try trainUpdate(trainOp)
        func fail(_ reason: String) -> TandemError { Session.error(at: trainOp, "loadOptimizerSlots: \(reason)") }
        var names: [String] = []
        switch update.rule {
        case let .sgd(_, momentum, _): names = momentum == 0 ? [] : ["momentum"]
        case .adam, .adamW: names = ["m", "v"]
        case let .rmsprop(_, _, momentum, _): names = momentum == 0 ? ["rms"] : ["rms", "momentum"]
        }
        let state = OptimizerSlots(count: update.variables.count)
        var used = Set<String>()
        for (k, v) in update.variables.enumerated() {
            let variable = graph.variables[v]
            let keys = names.map { "\(variable.name)/\($0)" }
            let present = keys.filter { slots[$0] != nil }
            guard present.isEmpty || present.count == keys.count else {
                throw fail("variable '\(variable.name)' has a partial state (\(present.joined(separator: ", ")) without the rest)")
            }
            for key in present {
                let buffer = slots[key]!
                guard buffer.shape == variable.staticShape else {
                    throw fail("slot '\(key)' has shape \(formatShape(buffer.shape)) but the variable has shape \(formatShape(variable.shape))")
                }
                switch key.split(separator: "/").last! {
                case "momentum": state.momentum[k] = buffer.contiguous()
                case "m": state.m[k] = buffer.contiguous()
                default: state.v[k] = buffer.contiguous()   // Adam's `v`, RMSProp's `rms`
                }
            }
            used.formUnion(present)
            if let step = slots["\(variable.name)/step"] {
                guard step.shape == [], step.scalar >= 1, step.scalar.rounded() == step.scalar, step.scalar < 1e9 else {
                    throw fail("'\(variable.name)/step' must be a whole number >= 1 of rank 0, got \(step.scalars)")
                }
                state.steps[k] = Int(step.scalar)
                used.insert("\(variable.name)/step")
            } else if !present.isEmpty, update.rule.countsSteps {
                throw fail("variable '\(variable.name)' has \(update.optimizerName) moments but no '\(variable.name)/step'")
            }
        }
        let unexpected = slots.keys.filter { !used.contains($0) }.sorted()
        guard unexpected.isEmpty else {
            throw fail("unexpected slot(s) \(unexpected.map { "'\($0)'" }.joined(separator: ", ")) for this \(update.optimizerName) train op")
        }
        if let existing = optimizerSlots[trainOp.id] {
            // Compiled plans hold the slots object: update it in place.
            existing.momentum = state.momentum
            existing.m = state.m
            existing.v = state.v
            existing.steps = state.steps
        } else {
            optimizerSlots[trainOp.id] = state
        }
    }

    /// The update a train op applies, or an error naming the node.
    private func trainUpdate(_ trainOp: Node) throws(TandemError) -> OptimizerUpdate {
        guard trainOp.belongs(to: graph), case .update(let update) = trainOp.kind else {
            throw TandemError.graph(
                node: trainOp.name, reason: "is not a train op (minimize / applyGradients) of this session's graph",
                location: trainOp.location)
        }
        return update
    }
}
