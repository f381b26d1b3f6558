import Foundation
import TandemBoard

/// Logs training to TensorBoard from `fit` (`keras.callbacks.TensorBoard`): the model's graph,
/// `batch_loss` after every step and `epoch_loss` (and `epoch_accuracy`) after every epoch, in
/// `logDir/train`, the run name Keras uses.
///
/// ```swift
/// try model.fit(x, y, epochs: 5, callbacks: [TensorBoard(logDir: URL(fileURLWithPath: "logs/keras"))])
/// // tensorboard --logdir logs
/// ```
public final class TensorBoard: Callback {
    /// The writer of `logDir/train`.
    public let writer: SummaryWriter
    /// Whether to log the model's graph when training begins.
    public var writeGraph: Bool

    /// Creates the event file in `logDir/train`.
    ///
    /// - Parameters:
    ///   - logDir: the run's root directory.
    ///   - writeGraph: log the model's graph for TensorBoard's graph tab.
    /// - Throws: `TandemError.file` when the directory or the file cannot be created.
    public init(logDir: URL, writeGraph: Bool = true) throws {
        writer = try SummaryWriter(logDir: logDir.appendingPathComponent("train"))
        self.writeGraph = writeGraph
    }

    /// Logs the graph of the built model.
    public func onTrainBegin(_ model: Sequential) {
        if writeGraph, let graph = model.graph { writer.addGraph(graph) }
    }

    /// Logs `batch_loss`.
    public func onTrainBatchEnd(_ step: Int, logs: [String: Float]) {
        if let loss = logs["loss"] { writer.addScalar("batch_loss", loss, step: step) }
    }

    /// Logs every metric as `epoch_<name>` and flushes, so TensorBoard sees each epoch as it ends.
    public func onEpochEnd(_ epoch: Int, logs: [String: Float]) {
        for (name, value) in logs.sorted(by: { $0.key < $1.key }) { writer.addScalar("epoch_\(name)", value, step: epoch) }
        writer.flush()
    }

    /// Flushes the file (it closes when the callback is released, so one callback can serve
    /// several `fit` calls, its steps then restarting at 0 as in Keras).
    public func onTrainEnd() { writer.flush() }
}
