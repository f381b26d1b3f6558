import Foundation

extension Sequential {
    /// Trains the model (`model.fit`) on inputs `x` (`[N, ...]`) and integer class labels `y`.
    ///
    /// - Parameters:
    ///   - x: the inputs, `[N, ...]` (the sample shape the model was built for).
    ///   - y: one integer class label per input.
    ///   - epochs: passes over the data.
    ///   - batchSize: examples per step (the last batch of an epoch may be smaller).
    ///   - shuffle: draw a new order each epoch from the global generator (see `manualSeed`).
    ///   - validationData: inputs and labels evaluated (in inference mode) after each epoch;
    ///     their loss and metrics are recorded as `val_loss`, `val_accuracy`.
    ///   - verbose: show the progress bar on stderr; nil shows it only when stderr is a terminal.
    ///   - callbacks: called after each step and epoch (``TensorBoard`` logs them).
    ///   - file: the caller's file (for errors).
    ///   - line: the caller's line (for errors).
    /// - Returns: the mean loss (and accuracy, if a metric) of each epoch.
    /// - Throws: before `compile`, on mismatched data, or when a run fails.
    @discardableResult
    public func fit(
        _ x: NDArray, _ y: [Int], epochs: Int = 1, batchSize: Int = 32, validationData: (NDArray, [Int])? = nil,
        shuffle: Bool = true, verbose: Bool? = nil, callbacks: [Callback] = [], file: StaticString = #fileID, line: UInt = #line
    ) throws -> History {
        try fit(x, labelArray(y), epochs: epochs, batchSize: batchSize,
                validationData: validationData.map { ($0.0, labelArray($0.1)) }, shuffle: shuffle, verbose: verbose,
                callbacks: callbacks, file: file, line: line)
    }

    /// Trains the model on inputs `x` and targets `y` (labels as whole-number floats `[N]` for
    /// cross-entropy, or values shaped like the output for mean squared error).
    ///
    /// - Parameters:
    ///   - x: the inputs, `[N, ...]`.
    ///   - y: `[N]` whole-number labels, or targets shaped like the output.
    ///   - epochs: passes over the data.
    ///   - batchSize: examples per step (the last batch of an epoch may be smaller).
    ///   - validationData: inputs and targets evaluated (in inference mode) after each epoch,
    ///     recorded as `val_loss` (and `val_accuracy`).
    ///   - shuffle: draw a new order each epoch from the global generator (see `manualSeed`).
    ///   - verbose: show the progress bar on stderr; nil shows it only when stderr is a terminal.
    ///   - callbacks: called after each step and epoch (``TensorBoard`` logs them).
    ///   - file: the caller's file (for errors).
    ///   - line: the caller's line (for errors).
    /// - Throws: before `compile`, on mismatched data, or when a run fails.
    @discardableResult
    public func fit(
        _ x: NDArray, _ y: NDArray, epochs: Int = 1, batchSize: Int = 32, validationData: (NDArray, NDArray)? = nil,
        shuffle: Bool = true, verbose: Bool? = nil, callbacks: [Callback] = [], file: StaticString = #fileID, line: UInt = #line
    ) throws -> History {
        let location = SourceLocation(file, line)
        try requireCompiled(for: "fit", at: location)
        try checkData(x, y)
        if let (vx, vy) = validationData { try checkData(vx, vy) }
        try Sequential.requirePositive(batchSize, "batchSize", of: "fit", at: location)
        try Sequential.requirePositive(epochs, "epochs", of: "fit", at: location)
        try build(inputShape: Array(x.shape.dropFirst()), for: "fit", at: location)
        guard let built, let session else { preconditionFailure("Sequential: not built") }
        let n = x.shape[0]
        let batches = (n + batchSize - 1) / batchSize
        let show = verbose ?? ProgressBar.stderrIsTerminal
        let xs = x.contiguous(), ys = y.contiguous()
        // Batch norm's moving-average updates run with every step, as Keras' fit does.
        var fetches = [built.trainLoss, built.trainOp] + built.updateOps
        let predictionsIndex = fetches.count
        if let predictions = built.trainPredictions { fetches.append(predictions) }
        var history = History()
        for callback in callbacks { callback.onTrainBegin(self) }
        var step = 0
        for epoch in 0..<epochs {
            let order = shuffle ? Generator.global.permutation(n) : Array(0..<n)
            var bar = ProgressBar(total: batches, title: "Epoch \(epoch + 1)/\(epochs)", interactive: show && ProgressBar.stderrIsTerminal)
            var lossSum: Double = 0, correct = 0, seen = 0
            for b in 0..<batches {
                let indices = order[(b * batchSize)..<Swift.min((b + 1) * batchSize, n)]
                let batchY = gatherRows(ys, indices)
                let out = try session.run(fetches, feed: [built.input: gatherRows(xs, indices), built.target: batchY])
                lossSum += Double(out[0].scalar) * Double(indices.count)
                seen += indices.count
                if built.trainPredictions != nil { correct += countMatches(out[predictionsIndex], batchY) }
                bar.update(done: b + 1, metrics: summary(lossSum, correct, seen))
                for callback in callbacks { callback.onTrainBatchEnd(step, logs: ["loss": out[0].scalar]) }
                step += 1
            }
            var metrics = summary(lossSum, correct, seen)
            if let (vx, vy) = validationData {
                metrics += try scores(vx, vy, batchSize: batchSize).map { ("val_" + $0.0, $0.1) }
            }
            for (name, value) in metrics { history.history[name, default: []].append(value) }
            history.epochSeconds.append(Date().timeIntervalSince(bar.start))
            if show { bar.finish(metrics: metrics) }
            for callback in callbacks { callback.onEpochEnd(epoch, logs: Dictionary(uniqueKeysWithValues: metrics)) }
        }
        for callback in callbacks { callback.onTrainEnd() }
        return history
    }

    /// The loss and metrics on `x` and integer labels `y`, without training (`model.evaluate`).
    ///
    /// - Parameters:
    ///   - x: the inputs, `[N, ...]`.
    ///   - y: one integer class label per input.
    ///   - batchSize: examples per run (affects speed and memory, not the result).
    ///   - file: the caller's file (for errors).
    ///   - line: the caller's line (for errors).
    /// - Throws: before `compile`, on mismatched data, or when a run fails.
    public func evaluate(
        _ x: NDArray, _ y: [Int], batchSize: Int = 256, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [String: Float] {
        try evaluate(x, labelArray(y), batchSize: batchSize, file: file, line: line)
    }

    /// The loss and metrics on `x` and targets `y`, without training.
    ///
    /// - Parameters:
    ///   - x: the inputs, `[N, ...]`.
    ///   - y: `[N]` whole-number labels, or targets shaped like the output.
    ///   - batchSize: examples per run (affects speed and memory, not the result).
    ///   - file: the caller's file (for errors).
    ///   - line: the caller's line (for errors).
    /// - Throws: before `compile`, on mismatched data, or when a run fails.
    public func evaluate(
        _ x: NDArray, _ y: NDArray, batchSize: Int = 256, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [String: Float] {
        let location = SourceLocation(file, line)
        try requireCompiled(for: "evaluate", at: location)
        try checkData(x, y)
        try Sequential.requirePositive(batchSize, "batchSize", of: "evaluate", at: location)
        try build(inputShape: Array(x.shape.dropFirst()), for: "evaluate", at: location)
        return Dictionary(uniqueKeysWithValues: try scores(x, y, batchSize: batchSize))
    }

    /// The inference-mode loss (and accuracy) over `x` and `y`, in batches, in the metrics' order.
    private func scores(_ x: NDArray, _ y: NDArray, batchSize: Int) throws -> [(String, Float)] {
        guard let built, let session else { preconditionFailure("Sequential: not built") }
        let n = x.shape[0]
        let xs = x.contiguous(), ys = y.contiguous()
        var fetches = [built.evalLoss]
        if let predictions = built.evalPredictions { fetches.append(predictions) }
        var lossSum: Double = 0, correct = 0
        for start in stride(from: 0, to: n, by: batchSize) {
            let indices = Array(start..<Swift.min(start + batchSize, n))[...]
            let batchY = gatherRows(ys, indices)
            let out = try session.run(fetches, feed: [built.input: gatherRows(xs, indices), built.target: batchY])
            lossSum += Double(out[0].scalar) * Double(indices.count)
            if fetches.count > 1 { correct += countMatches(out[1], batchY) }
        }
        return summary(lossSum, correct, n)
    }

    /// The model's outputs for `x` (`model.predict`), computed in batches.
    ///
    /// - Parameters:
    ///   - x: the inputs, `[N, ...]`.
    ///   - batchSize: examples per run (affects speed and memory, not the result).
    ///   - file: the caller's file (for errors).
    ///   - line: the caller's line (for errors).
    /// - Throws: before `compile`, or when a run fails.
    public func predict(_ x: NDArray, batchSize: Int = 256, file: StaticString = #fileID, line: UInt = #line) throws -> NDArray {
        let location = SourceLocation(file, line)
        guard x.rank >= 2 else {
            throw TandemError.invalidValue(
                op: "Sequential.predict",
                reason: "inputs of shape \(formatShape(x.shape)) need a batch dimension and a sample shape, [N, ...]",
                location: location)
        }
        try Sequential.requirePositive(batchSize, "batchSize", of: "predict", at: location)
        try build(inputShape: Array(x.shape.dropFirst()), for: "predict", at: location)
        guard let built, let session else { preconditionFailure("Sequential: not built") }
        let n = x.shape[0]
        let xs = x.contiguous()
        var parts: [NDArray] = []
        for start in stride(from: 0, to: n, by: batchSize) {
            let indices = Array(start..<Swift.min(start + batchSize, n))[...]
            parts.append(try session.run(built.outputs, feed: [built.input: gatherRows(xs, indices)]))
        }
        return concatenateRows(parts, count: n, rowShape: Array(built.outputs.staticShape.dropFirst()))
    }

    // MARK: Helpers

    /// Integer class labels as the `[N]` array the labels placeholder takes.
    private func labelArray(_ labels: [Int]) -> NDArray { NDArray(shape: [labels.count], scalars: labels.map(Float.init)) }

    private func summary(_ lossSum: Double, _ correct: Int, _ seen: Int) -> [(String, Float)] {
        var out = [("loss", Float(lossSum / Double(Swift.max(seen, 1))))]
        if metrics.contains(.accuracy) { out.append(("accuracy", Float(correct) / Float(Swift.max(seen, 1)))) }
        return out
    }

    /// Throws unless a count argument (a batch size, an epoch count) is at least 1.
    private static func requirePositive(_ value: Int, _ name: String, of method: String, at location: SourceLocation?) throws {
        guard value >= 1 else {
            throw TandemError.invalidValue(op: "Sequential.\(method)", reason: "\(name) must be at least 1, got \(value)", location: location)
        }
    }

    private func checkData(_ x: NDArray, _ y: NDArray) throws {
        guard x.rank >= 2, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw TandemError.invalidValue(
                op: "Sequential",
                reason: "inputs of shape \(formatShape(x.shape)) and targets of shape \(formatShape(y.shape)) "
                    + "must have the same number of examples (first dimension)", location: nil)
        }
    }

    /// How many predicted classes equal the labels (bookkeeping for the accuracy metric).
    private func countMatches(_ predictions: NDArray, _ labels: NDArray) -> Int {
        zip(predictions.scalars, labels.scalars).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    }
}

/// The rows `indices` of a contiguous array, as a new `[indices.count, ...]` array (a batch).
func gatherRows(_ x: NDArray, _ indices: ArraySlice<Int>) -> NDArray {
    let row = x.shape.dropFirst().reduce(1, *)
    var shape = x.shape
    shape[0] = indices.count
    let out = NDArray(uninitializedShape: shape)
    x.withUnsafeBufferPointer { source in
        for (k, i) in indices.enumerated() {
            (out.storage.pointer + k * row).update(from: source.baseAddress! + i * row, count: row)
        }
    }
    return out
}

/// Stacks batches of rows back into one `[count, rowShape...]` array.
func concatenateRows(_ parts: [NDArray], count: Int, rowShape: [Int]) -> NDArray {
    let out = NDArray(uninitializedShape: [count] + rowShape)
    var offset = 0
    for part in parts {
        part.withUnsafeBufferPointer { source in
            (out.storage.pointer + offset).update(from: source.baseAddress!, count: source.count)
            offset += source.count
        }
    }
    return out
}
