/// Code `Sequential.fit` calls as training goes (`keras.callbacks.Callback`): implement the
/// hooks you need, the others do nothing.
///
/// ```swift
/// final class PrintLoss: Callback {
///     func onEpochEnd(_ epoch: Int, logs: [String: Float]) { print(epoch, logs["loss"]!) }
/// }
/// try model.fit(x, y, epochs: 3, callbacks: [PrintLoss()])
/// ```
public protocol Callback: AnyObject {
    /// Before the first step, once the model is built (its `graph` exists).
    func onTrainBegin(_ model: Sequential)
    /// After each training step: `step` counts steps from 0 over all epochs; `logs` has the
    /// batch's `loss`.
    func onTrainBatchEnd(_ step: Int, logs: [String: Float])
    /// After each epoch (numbered from 0), with the epoch's mean `loss` (and `accuracy`).
    func onEpochEnd(_ epoch: Int, logs: [String: Float])
    /// After the last epoch.
    func onTrainEnd()
}

extension Callback {
    /// Does nothing.
    public func onTrainBegin(_ model: Sequential) {}
    /// Does nothing.
    public func onTrainBatchEnd(_ step: Int, logs: [String: Float]) {}
    /// Does nothing.
    public func onEpochEnd(_ epoch: Int, logs: [String: Float]) {}
    /// Does nothing.
    public func onTrainEnd() {}
}
