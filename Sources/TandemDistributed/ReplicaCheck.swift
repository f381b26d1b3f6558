import TandemKernels

/// Checks that every rank holds the same values (data-parallel replicas must start identical,
/// or they train different models while averaging each other's gradients).
///
/// Each rank hashes each value (FNV-1a over its float bits) and the ranks exchange the hashes
/// with one allgather: a few bytes per value, whatever the model's size.
enum ReplicaCheck {
    /// Throws an error naming the values (with shapes) and ranks that differ from rank 0's.
    ///
    /// - Parameters:
    ///   - parameters: this rank's parameters, with names for the message.
    ///   - buffers: this rank's buffers (batch norm's running statistics), checked alike.
    ///   - what: the caller, named as the error's op ("DistributedDataParallel").
    ///   - fix: what to do about it, appended to the message.
    static func verify(
        _ parameters: [(name: String, value: NDArray)], buffers: [(name: String, value: NDArray)] = [], in group: ProcessGroup,
        what: String, fix: String
    ) throws(TandemError) {
        guard group.size > 1 else { return }
        let values = parameters + buffers
        let hashes = values.map { fingerprint($0.value) }
        let bytes = hashes.withUnsafeBytes { Array($0) }
        let all = try group.allgatherBytes(bytes, label: "\(what) replica check").map { chunk in
            chunk.withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) }
        }
        var differing: [String] = []
        var parametersDiffer = false
        for (index, entry) in values.enumerated() {
            let ranks = (1..<group.size).filter { all[$0][index] != all[0][index] }
            if !ranks.isEmpty {
                parametersDiffer = parametersDiffer || index < parameters.count
                differing.append(
                    "'\(entry.name)' \(formatShape(entry.value.shape)) on rank\(ranks.count > 1 ? "s" : "") "
                        + ranks.map(String.init).joined(separator: ", "))
            }
        }
        guard let first = differing.first else { return }
        let more = differing.count > 1 ? " (and \(differing.count - 1) more)" : ""
        throw .distributed(
            op: what,
            reason: "\(DistributedDiagnostic.replicaSubjects[parametersDiffer ? 0 : 1]) \(DistributedDiagnostic.replicasDiffer.phrase) at step \(group.step ?? 1): \(first) differs from rank 0's\(more). "
                + "The replicas do not start from the same weights, so they would train different models while "
                + "averaging each other's gradients: \(fix)",
            location: nil)
    }

    /// FNV-1a 64 of the values' bits (shape included, so a reshaped twin differs).
    static func fingerprint(_ array: NDArray) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) {
            hash ^= word
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for dimension in array.shape { mix(UInt64(dimension)) }
        array.withUnsafeBufferPointer { buffer in
            for value in buffer { mix(UInt64(value.bitPattern)) }
        }
        return hash
    }
}
