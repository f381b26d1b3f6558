extension Module {
    /// The parameters' and buffers' values by PyTorch's key names (`model.state_dict()`):
    /// `weight`, `bias`, `0.weight`, `fc1.bias`, `1.running_mean`, ... The arrays share storage copy-on-write, so the dictionary is a
    /// snapshot: later training steps do not change it.
    public func stateDict() -> [String: NDArray] {
        var result: [String: NDArray] = [:]
        for (name, parameter) in namedParameters { result[name] = parameter.array }
        for (name, buffer) in namedBuffers { result[name] = buffer.array }
        return result
    }

    /// Replaces the parameters' and buffers' values with those of a state dict
    /// (`model.load_state_dict(sd)`), keeping the same `Tensor` objects so optimizers stay attached.
    /// A one-element `[1]` value loads into a rank-0 buffer, as PyTorch accepts for
    /// `num_batches_tracked`.
    ///
    /// Nothing is changed unless the whole dict fits: a missing key, an unexpected key (unless
    /// `strict` is false) or a shape mismatch throws a `TandemError` naming the keys and shapes.
    public func loadStateDict(_ stateDict: [String: NDArray], strict: Bool = true) throws {
        let named = namedParameters + namedBuffers
        let shapes = Dictionary(named.map { ($0.0, $0.1.shape) }, uniquingKeysWith: { first, _ in first })
        let stateDict = stateDict.reduce(into: [String: NDArray]()) { result, entry in
            let isScalarInVector = shapes[entry.key] == [] && entry.value.shape == [1]
            result[entry.key] = isScalarInVector ? NDArray(shape: [], scalars: entry.value.scalars) : entry.value
        }
        let expected = Set(named.map(\.0))
        var problems: [String] = []
        if strict {
            let missing = named.map(\.0).filter { stateDict[$0] == nil }
            let unexpected = stateDict.keys.filter { !expected.contains($0) }.sorted()
            if !missing.isEmpty { problems.append("Missing key(s) in state_dict: \(missing.map { "\"\($0)\"" }.joined(separator: ", "))") }
            if !unexpected.isEmpty {
                problems.append("Unexpected key(s) in state_dict: \(unexpected.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
        }
        var mismatched: [[Int?]] = []
        for (name, parameter) in named {
            guard let value = stateDict[name], value.shape != parameter.shape else { continue }
            problems.append(
                "size mismatch for \(name): copying a param with shape \(formatShape(value.shape)) from checkpoint, "
                    + "the shape in current model is \(formatShape(parameter.shape))")
            mismatched += [value.shape.map(Optional.some), parameter.shape.map(Optional.some)]
        }
        if !problems.isEmpty {
            let reason = "Error(s) in loading state_dict for \(type(of: self)): " + problems.joined(separator: "; ")
            if mismatched.isEmpty { throw TandemError.invalidValue(op: "loadStateDict", reason: reason, location: nil) }
            throw TandemError.shapeMismatch(op: "loadStateDict", shapes: mismatched, reason: reason, location: nil)
        }
        for (name, parameter) in named {
            if let value = stateDict[name] { parameter.array = value }
        }
    }
}
