/// A value that primitives can be applied to: the eager `Tensor` (which computes at once) and the
/// graph `Node` (which records a node to compute later) both conform.
///
/// Gradient rules (`Op.gradient`) and every composite op (softmax's backward, `mseLoss`,
/// `dropout`, ...) are written once against this protocol, so both frontends run the same math.
public protocol TensorExpression {
    /// Applies a primitive to inputs: evaluate now (eager) or add a node (graph).
    ///
    /// - Parameters:
    ///   - op: the primitive.
    ///   - inputs: exactly `op.arity` values of this frontend.
    ///   - location: the user's source line that asked for the op (nil when unknown, as for
    ///     Swift operators, which cannot take `#line`).
    static func apply(_ op: Op, _ inputs: [Self], at location: SourceLocation?) -> Self
}
