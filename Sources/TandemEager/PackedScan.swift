/// Runs a recurrent step over time the way PyTorch runs a packed sequence
/// (`torch.nn.utils.rnn.pack_padded_sequence`, `enforce_sorted=False`): the batch is sorted by
/// length, longest first, so at step t the sequences still running are a prefix of the batch; the
/// step runs on that prefix only (nothing is computed past a sequence's length), each sequence's
/// final state is the one after its own last step, and the results come back in the caller's order.
struct PackedScan {
    /// Each sequence's length, in the caller's order.
    let lengths: [Int]
    /// The batch positions sorted by length, longest first (stable), or nil when already sorted.
    let order: [Int]?
    /// The number of time steps of the padded input.
    let timeSteps: Int

    /// Checks `lengths` against a batch of `batch` sequences of `timeSteps` steps; nil lengths
    /// mean every sequence runs all steps. A bad length is reported through `ErrorScope`, naming
    /// the module and the caller's line, and gives nil.
    init?(lengths: [Int]?, batch: Int, timeSteps: Int, module: String, location: SourceLocation) {
        let lengths = lengths ?? Array(repeating: timeSteps, count: batch)
        var problem: String?
        if lengths.count != batch {
            problem = "\(lengths.count) lengths for a batch of \(batch) sequences"
        } else if let bad = lengths.firstIndex(where: { $0 < 1 || $0 > timeSteps }) {
            problem = "sequence \(bad) has length \(lengths[bad]); each length must be in 1...\(timeSteps) "
                + "(the input's time steps)"
        }
        if let problem {
            ErrorScope.report(.invalidValue(op: module, reason: "lengths: " + problem, location: location))
            return nil
        }
        self.lengths = lengths
        self.timeSteps = timeSteps
        let sorted = lengths.indices.sorted { lengths[$0] > lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
        order = sorted == Array(lengths.indices) ? nil : sorted
    }

    /// Runs `step` over the time-major input.
    ///
    /// - Parameters:
    ///   - input: `[timeSteps, batch, features]`.
    ///   - initial: the initial states, each `[batch, width]`; the first is the output.
    ///   - step: from one step's input `[active, features]` and the active rows of the states,
    ///     the next states.
    /// - Returns: the first state at every step `[timeSteps, batch, width]`, zero past each length,
    ///   and each state after each sequence's last step, both in the caller's order.
    func run(
        _ input: Tensor, initial: [Tensor], file: StaticString, line: UInt, step: (Tensor, [Tensor]) -> [Tensor]
    ) -> (outputs: Tensor, finals: [Tensor]) {
        let batch = lengths.count
        let sortedLengths = order.map { $0.map { lengths[$0] } } ?? lengths
        let index = order.map { Tensor(labels: $0) }
        let xs = index.map { input.indexSelect(dim: 1, index: $0, file: file, line: line) } ?? input
        var states = initial.map { state in index.map { state.indexSelect(dim: 0, index: $0, file: file, line: line) } ?? state }
        // The rows that finished, per state, in the order they finished (last rows first).
        var finished = [[Tensor]](repeating: [], count: states.count)
        var outputs: [Tensor] = []
        var active = batch
        let longest = sortedLengths.first ?? 0
        for t in 0..<longest {
            let running = sortedLengths.prefix { $0 > t }.count
            if running < active {
                for k in states.indices {
                    finished[k].append(states[k].narrow(dim: 0, start: running, length: active - running, file: file, line: line))
                    states[k] = states[k].narrow(dim: 0, start: 0, length: running, file: file, line: line)
                }
                active = running
            }
            var x = xs.narrow(dim: 0, start: t, length: 1, file: file, line: line).squeeze(dim: 0, file: file, line: line)
            if active < batch { x = x.narrow(dim: 0, start: 0, length: active, file: file, line: line) }
            states = step(x, states)
            outputs.append(padded(states[0], to: batch, file: file, line: line))
        }
        let width = states.first?.shape.last ?? 0
        for _ in longest..<timeSteps { outputs.append(Tensor(zeros: [batch, width])) }
        var output = stack(outputs, dim: 0, file: file, line: line)
        var finals = states.indices.map { k in
            finished[k].isEmpty ? states[k] : cat([states[k]] + finished[k].reversed(), dim: 0, file: file, line: line)
        }
        if let order {
            var inverse = [Int](repeating: 0, count: batch)
            for (position, original) in order.enumerated() { inverse[original] = position }
            let back = Tensor(labels: inverse)
            output = output.indexSelect(dim: 1, index: back, file: file, line: line)
            finals = finals.map { $0.indexSelect(dim: 0, index: back, file: file, line: line) }
        }
        return (output, finals)
    }

    /// `rows` with zero rows appended up to `batch` rows (the padding of finished sequences).
    private func padded(_ rows: Tensor, to batch: Int, file: StaticString, line: UInt) -> Tensor {
        let count = rows.shape.first ?? batch
        guard count < batch else { return rows }
        return cat([rows, Tensor(zeros: [batch - count] + rows.shape.dropFirst())], dim: 0, file: file, line: line)
    }
}
