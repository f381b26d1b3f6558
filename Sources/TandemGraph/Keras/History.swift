/// What `fit` recorded, one value per epoch (`tf.keras.callbacks.History`).
public struct History {
    /// Metric name ("loss", "accuracy", and with validation data "val_loss", "val_accuracy") to
    /// its per-epoch values.
    public var history: [String: [Float]] = [:]
    /// Seconds each epoch took.
    public var epochSeconds: [Double] = []

    /// The training loss of each epoch (mean over its batches).
    public var loss: [Float] { history["loss"] ?? [] }
    /// The training accuracy of each epoch, if `accuracy` was a metric.
    public var accuracy: [Float] { history["accuracy"] ?? [] }

    /// The validation loss after each epoch, if `fit` was given `validationData`.
    public var valLoss: [Float] { history["val_loss"] ?? [] }
    /// The validation accuracy after each epoch, with `validationData` and the accuracy metric.
    public var valAccuracy: [Float] { history["val_accuracy"] ?? [] }
}
