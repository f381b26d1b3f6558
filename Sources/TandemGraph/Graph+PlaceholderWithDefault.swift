extension Graph {
    /// A placeholder that takes `defaultValue` when a run does not feed it
    /// (`tf.placeholder_with_default`): TF1's `training` switch, fed `false` (0) only for evaluation,
    /// or any value a user may override at run time.
    ///
    /// ```swift
    /// let training = g.placeholderWithDefault(NDArray(1), shape: [], name: "training")
    /// try session.run(output, feed: [x: batch])                                // training is 1
    /// try session.run(output, feed: [x: batch, training: NDArray(0)])          // training is 0
    /// ```
    ///
    /// A fed value must fit `shape` as any placeholder's; a default that does not fit it is an
    /// error naming the node and the caller's line (thrown inside `checked`, fatal outside).
    ///
    /// - Parameters:
    ///   - defaultValue: the value used when the placeholder is not fed.
    ///   - shape: the static shape; nil marks a dimension of any size.
    ///   - name: the node's name (made unique with a suffix if already used).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func placeholderWithDefault(
        _ defaultValue: NDArray, shape: [Int?], name: String = "placeholder_with_default",
        file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        let location = SourceLocation(file, line)
        let fits = defaultValue.rank == shape.count && zip(defaultValue.shape, shape).allSatisfy { $1 == nil || $0 == $1 }
        let poison: TandemError? = fits ? nil : .shapeMismatch(
            op: "placeholderWithDefault", shapes: [defaultValue.shape.map(Optional.some), shape],
            reason: "the default value of shape \(formatShape(defaultValue.shape)) does not fit the shape \(formatShape(shape))",
            location: location)
        if let poison { ErrorScope.report(poison) }
        let node = addNode(.placeholder, [], name: name, shape: shape.map { $0 ?? unknownDim }, location: location, poison: poison)
        if fits { placeholderDefaults[node.id] = defaultValue.contiguous() }
        return node
    }

    /// The value a placeholder takes when it is not fed (nil for a plain placeholder).
    ///
    /// - Parameter placeholder: a node of this graph.
    public func defaultValue(of placeholder: Node) -> NDArray? { placeholderDefaults[placeholder.id] }
}
