/// A value that primitives can be applied to: the eager `Tensor` (which computes at once) and the
/// graph `Node` (which records a node to compute later) both conform.
///
/// Gradient rules (`Op.gradient`) and every composite op (softmax's backward, `mseLoss`,
/// `dropout`, `batchNorm`, ...) are written once against this protocol, so both frontends run
/// the same math.
public protocol TensorExpression {
    /// Applies a primitive to inputs: evaluate now (eager) or add a node (graph).
    ///
    /// - Parameters:
    ///   - op: the primitive.
    ///   - inputs: exactly `op.arity` values of this frontend.
    ///   - location: the user's source line that asked for the op (nil when unknown, as for
    ///     Swift operators, which cannot take `#line`).
    static func apply(_ op: Op, _ inputs: [Self], at location: SourceLocation?) -> Self

    /// Makes `target`, a piece of state such as a running statistic, take `value`: the one side
    /// effect an op may have, which each frontend performs its own way.
    ///
    /// The eager `Tensor` writes the values into `target` in place at once (PyTorch's
    /// `running_mean.copy_(...)`); the graph `Node` adds an assign node to `Graph.updateOps`
    /// (TensorFlow 1's `UPDATE_OPS`), which a session performs when the user runs it with the
    /// train op. Nothing is differentiated through it.
    ///
    /// - Parameters:
    ///   - value: the new value, shaped like `target`.
    ///   - target: the state to update (an eager tensor; a graph variable).
    ///   - location: the user's source line that asked for the update, quoted in errors.
    static func assign(_ value: Self, to target: Self, at location: SourceLocation?)

    /// Reports `error` (recorded by the innermost `checked` scope, fatal with Tandem's message
    /// outside one) and returns a value that later ops pass along without computing: for a
    /// misuse that leaves no input to apply an op to, such as `cat([])`.
    ///
    /// - Parameter error: the error, naming the op and the user's line.
    static func failure(_ error: TandemError) -> Self
}
