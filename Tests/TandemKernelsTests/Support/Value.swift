import TandemKernels

/// A test-only `TensorExpression` that computes at once, like a minimal eager frontend without a
/// tape: it lets the tests run the core's gradient rules and composite ops on concrete values.
///
/// Errors follow the frontends' contract: reported to the innermost `checked` scope (so
/// `checked { }` throws them), after which later ops skip their work and pass a placeholder on.
/// A class, so that `assign` can update a value in place as the eager frontend does.
final class Value: TensorExpression {
    /// The computed value.
    var array: NDArray

    /// Wraps a value.
    init(_ array: NDArray) { self.array = array }

    /// Evaluates `op` now through the one forward path, `Op.evaluate`.
    static func apply(_ op: Op, _ inputs: [Value], at location: SourceLocation?) -> Value {
        if ErrorScope.hasError { return Value(NDArray(zeros: [0])) }
        do {
            return Value(try op.evaluate(inputs.map(\.array), at: location))
        } catch {
            ErrorScope.report(error)
            return Value(NDArray(zeros: [0]))
        }
    }

    /// Reports the error and returns the placeholder later ops pass along.
    static func failure(_ error: TandemError) -> Value {
        ErrorScope.report(error)
        return Value(NDArray(zeros: [0]))
    }

    /// Replaces the target's values, as the eager frontend does (shape checked).
    static func assign(_ value: Value, to target: Value, at location: SourceLocation?) {
        if ErrorScope.hasError { return }
        guard value.array.shape == target.array.shape else {
            ErrorScope.report(.shapeMismatch(
                op: "assign", shapes: [target.array.shape, value.array.shape].map { $0.map(Optional.some) },
                reason: "shapes differ", location: location))
            return
        }
        target.array = value.array
    }
}
