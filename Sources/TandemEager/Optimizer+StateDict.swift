import Foundation

// An optimizer's state dict is PyTorch's `optimizer.state_dict()` with its nesting spelled in
// the keys, so it fits in a `[String: NDArray]` (and a safetensors file):
//
//     state.<i>.<name>         torch's state[i][name]: parameter i's buffers (momentum_buffer,
//                              exp_avg, exp_avg_sq, max_exp_avg_sq, square_avg, grad_avg) with the
//                              parameter's shape, and its step count `step` (rank 0) where torch keeps one
//     param_groups.0.<name>    torch's param_groups[0][name]: lr, momentum, betas (shape [2]), eps, ...;
//                              booleans (nesterov, amsgrad, centered, maximize) as 0 or 1
//     param_groups.0.params    the parameter indices 0, 1, ..., n-1 (torch's "params")
//
// A parameter that has not been stepped yet has no `state.<i>.*` keys, as in PyTorch. The tests
// compare these keys and values with torch's own state_dict after the same steps.

/// Builds the flat state dict of an optimizer.
struct OptimizerStateWriter {
    private(set) var entries: [String: NDArray] = [:]

    init(parameterCount: Int) {
        entries["param_groups.0.params"] = NDArray(shape: [parameterCount], scalars: (0..<parameterCount).map(Float.init))
    }

    mutating func hyperparameter(_ name: String, _ value: Float) {
        entries["param_groups.0.\(name)"] = NDArray(value)
    }

    mutating func hyperparameter(_ name: String, _ value: Bool) {
        entries["param_groups.0.\(name)"] = NDArray(value ? 1 : 0)
    }

    mutating func hyperparameter(_ name: String, _ pair: (Float, Float)) {
        entries["param_groups.0.\(name)"] = NDArray(shape: [2], scalars: [pair.0, pair.1])
    }

    /// Parameter `index`'s buffer (shared copy-on-write: later steps do not change the dict).
    mutating func buffer(_ index: Int, _ name: String, _ value: NDArray?) {
        if let value { entries["state.\(index).\(name)"] = value }
    }

    mutating func step(_ index: Int, _ count: Int) {
        if count > 0 { entries["state.\(index).step"] = NDArray(Float(count)) }
    }
}

/// Reads and validates an optimizer's flat state dict before anything is changed.
///
/// Every problem is a `TandemError` naming the optimizer and the key: a malformed or unexpected
/// key, a different number of parameters, a missing or ill-shaped hyperparameter, a buffer of
/// another shape than its parameter, a state with some buffers but not others, a step that is
/// not a whole positive number.
struct OptimizerStateReader {
    let op: String
    private let dict: [String: NDArray]
    private let parameters: [Tensor]
    /// The keys read so far; whatever is left over at the end is unexpected.
    private var read: Set<String> = ["param_groups.0.params"]

    /// Checks the overall structure: every key is `state.<i>.<name>` or `param_groups.0.<name>`,
    /// and the dict is for exactly `parameters.count` parameters.
    init(_ dict: [String: NDArray], optimizer: String, parameters: [Tensor]) throws {
        op = "\(optimizer).loadStateDict"
        self.dict = dict
        self.parameters = parameters
        guard let indices = dict["param_groups.0.params"] else {
            throw fail("missing key \"param_groups.0.params\" (is this an optimizer state dict?)")
        }
        guard indices.shape == [parameters.count], indices.scalars == (0..<parameters.count).map(Float.init) else {
            throw fail(
                "the state dict is for \(indices.count) parameter(s) (param_groups.0.params has shape "
                    + "\(formatShape(indices.shape))) but the optimizer has \(parameters.count)")
        }
        for key in dict.keys.sorted() {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0] == "param_groups", parts[1] == "0", !parts[2].isEmpty { continue }
            if parts.count == 3, parts[0] == "state", let i = Int(parts[1]), !parts[2].isEmpty {
                guard i >= 0, i < parameters.count else {
                    throw fail("key \"\(key)\" is for parameter \(i), but the optimizer has \(parameters.count) parameter(s)")
                }
                continue
            }
            throw fail("unexpected key \"\(key)\" (expected state.<index>.<name> or param_groups.0.<name>)")
        }
    }

    func fail(_ reason: String) -> TandemError { .invalidValue(op: op, reason: reason, location: nil) }

    private mutating func entry(_ name: String, shape: [Int]) throws -> NDArray {
        let key = "param_groups.0.\(name)"
        guard let value = dict[key] else { throw fail("missing hyperparameter \"\(key)\"") }
        guard value.shape == shape else {
            throw TandemError.shapeMismatch(
                op: op, shapes: [value.shape.map(Optional.some), shape.map(Optional.some)],
                reason: "hyperparameter \"\(key)\" has shape \(formatShape(value.shape)), expected \(formatShape(shape))",
                location: nil)
        }
        read.insert(key)
        return value
    }

    /// A finite number at least `minimum`.
    mutating func scalar(_ name: String, atLeast minimum: Float = 0) throws -> Float {
        let value = try entry(name, shape: []).scalar
        guard value.isFinite, value >= minimum else {
            throw fail("hyperparameter \"param_groups.0.\(name)\" is \(value), expected a finite value >= \(minimum)")
        }
        return value
    }

    /// A flag stored as 0 or 1.
    mutating func flag(_ name: String) throws -> Bool {
        let value = try entry(name, shape: []).scalar
        guard value == 0 || value == 1 else { throw fail("hyperparameter \"param_groups.0.\(name)\" is \(value), expected 0 or 1") }
        return value == 1
    }

    /// A pair in [0, 1) (Adam's betas).
    mutating func betas(_ name: String) throws -> (Float, Float) {
        let values = try entry(name, shape: [2]).scalars
        guard values.allSatisfy({ (0..<1).contains($0) }) else {
            throw fail("hyperparameter \"param_groups.0.\(name)\" is \(values), expected two values in [0, 1)")
        }
        return (values[0], values[1])
    }

    /// Each parameter's state: nil when the dict has none for it (not stepped yet), otherwise its
    /// buffers in the order of `buffers` and its step count (0 unless `countsSteps`). Call after
    /// reading every hyperparameter; leftover keys are then reported as unexpected.
    func parameterStates(buffers names: [String], countsSteps: Bool) throws -> [(step: Int, buffers: [NDArray])?] {
        var expected = names
        if countsSteps { expected.append("step") }
        var known = read
        var states: [(step: Int, buffers: [NDArray])?] = []
        for (i, parameter) in parameters.enumerated() {
            let keys = expected.map { "state.\(i).\($0)" }
            let present = keys.filter { dict[$0] != nil }
            known.formUnion(present)
            if present.isEmpty {
                states.append(nil)
                continue
            }
            guard present.count == keys.count else {
                let missing = keys.filter { dict[$0] == nil }
                throw fail(
                    "parameter \(i) has a partial state: missing \(missing.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            var buffers: [NDArray] = []
            for key in keys.prefix(names.count) {
                let buffer = dict[key]!
                guard buffer.shape == parameter.shape else {
                    throw TandemError.shapeMismatch(
                        op: op, shapes: [buffer.shape.map(Optional.some), parameter.shape.map(Optional.some)],
                        reason: "size mismatch for \"\(key)\": the state dict has shape \(formatShape(buffer.shape)), "
                            + "parameter \(i) has shape \(formatShape(parameter.shape))",
                        location: nil)
                }
                buffers.append(buffer.contiguous())
            }
            var step = 0
            if countsSteps {
                let stored = dict["state.\(i).step"]!
                guard stored.shape == [], stored.scalar >= 1, stored.scalar.rounded() == stored.scalar, stored.scalar < 1e9 else {
                    throw fail("\"state.\(i).step\" must be a whole number of steps >= 1, got \(stored.scalars) of shape \(formatShape(stored.shape))")
                }
                step = Int(stored.scalar)
            }
            states.append((step, buffers))
        }
        let unexpected = dict.keys.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty {
            throw fail(
                "unexpected key(s) \(unexpected.map { "\"\($0)\"" }.joined(separator: ", ")) for this optimizer's "
                    + "configuration (a state dict of another optimizer or other options?)")
        }
        return states
    }
}

/// Reports an invalid constructor argument of an optimizer or scheduler (thrown inside
/// `checked { }`, otherwise fatal with Tandem's message), naming the user's line.
func reportInvalidArgument(_ op: String, _ reason: String, file: StaticString, line: UInt) {
    ErrorScope.report(.invalidValue(op: op, reason: reason, location: SourceLocation(file, line)))
}
