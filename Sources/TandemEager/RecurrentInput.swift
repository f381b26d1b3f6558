/// The input checks and layout changes the sequence modules share.
enum RecurrentInput {
    /// The input as `[time, batch, features]` and its batch size, or nil (reported through
    /// `ErrorScope`, naming the module, the shape and the caller's line) when it is not a rank-3
    /// input with `inputSize` features and at least one time step. An input already failed
    /// inside `checked` gives nil silently.
    static func timeMajor(
        _ input: Tensor, batchFirst: Bool, inputSize: Int, module: String, location: SourceLocation
    ) -> (Tensor, Int)? {
        if input.isPlaceholder { return nil }
        let layout = batchFirst ? "[batch, time, \(inputSize)]" : "[time, batch, \(inputSize)]"
        guard input.rank == 3, input.shape[2] == inputSize, input.shape[batchFirst ? 1 : 0] > 0 else {
            ErrorScope.report(.shapeMismatch(
                op: module, shapes: [input.shape.map(Optional.some)],
                reason: "expected an input of shape \(layout) with at least one time step, got \(formatShape(input.shape))",
                location: location))
            return nil
        }
        let timeMajor = batchFirst ? input.transpose(0, 1) : input
        return (timeMajor, timeMajor.shape[1])
    }

    /// The time-major output back in the caller's layout.
    static func restore(_ output: Tensor, batchFirst: Bool, file: StaticString, line: UInt) -> Tensor {
        batchFirst ? output.transpose(0, 1, file: file, line: line) : output
    }
}
