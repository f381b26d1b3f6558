/// Receives every op the eager frontend runs while it is installed in ``OpRecording/recorder``:
/// how `TandemTrace` turns one eager run into a graph (torch.jit's tracer).
///
/// Because the primitive table (`Op`) is shared by both frontends, a recorded op maps 1:1 to a
/// graph node with the same `Op`. The recorder also hears about what a graph cannot replay: a
/// value read back into Swift (`item()`, `scalars`), which freezes it and any branch taken on it,
/// and a custom ``Function`` (its backward is Swift code).
///
/// NOTE: like grad mode, the recorder is a plain static (the eager frontend is single-threaded by
/// design); the per-op cost when nothing records is one nil check.
public protocol OpRecorder: AnyObject {
    /// A primitive ran: `output = op(inputs)` at the user's `location`.
    func recordOp(_ op: Op, inputs: [Tensor], output: Tensor, at location: SourceLocation?)
    /// `value` was written into `target` in place (a running-statistics update).
    func recordAssign(_ value: Tensor, to target: Tensor, at location: SourceLocation?)
    /// `output` holds `input`'s values, cut off from the tape (`detach()`).
    func recordDetach(_ output: Tensor, of input: Tensor)
    /// Swift read the values of `tensor` through `accessor` (`item()`, `scalars`).
    func recordValueRead(of tensor: Tensor, through accessor: String, at location: SourceLocation?)
    /// A custom autograd function named `name` ran: its forward's primitives were recorded (on
    /// detached inputs) and produced `forwardOutput`, whose values the function returns as `result`.
    func recordCustomFunction(named name: String, result: Tensor, forwardOutput: Tensor, at location: SourceLocation)
}

/// Where the eager frontend looks for an ``OpRecorder``.
public enum OpRecording {
    /// The recorder told about every op, or nil (the default: nothing records).
    ///
    /// Install one with ``recording(with:_:)`` rather than by assignment, so it is removed again.
    public static var recorder: OpRecorder?

    /// Runs `body` with `recorder` installed, restoring the previous recorder afterwards.
    ///
    /// - Parameters:
    ///   - recorder: receives every op `body` runs.
    ///   - body: the eager code to record.
    public static func recording<R>(with recorder: OpRecorder, _ body: () throws -> R) rethrows -> R {
        let saved = self.recorder
        self.recorder = recorder
        defer { self.recorder = saved }
        return try body()
    }
}
