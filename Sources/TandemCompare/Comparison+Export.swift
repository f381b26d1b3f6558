import Foundation

extension Comparison {
    /// Writes what a peer framework needs to replay this comparison exactly: the initial weights
    /// as safetensors (`<model>.safetensors`, PyTorch state-dict keys, so
    /// `model.load_state_dict(safetensors.torch.load_file(...))` works) and the batch indices of
    /// every step (`<model>.batches.json`). `Benchmarks/peers/run_peers.py --tandem-export DIR`
    /// then trains PyTorch (and the MLP in TensorFlow and JAX) from the same numbers.
    public func exportForPeers(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let weights = spec.initialWeights(seed: seed)
        try save(Dictionary(uniqueKeysWithValues: weights.map { ($0.name, $0.value) }),
            to: directory.appendingPathComponent("\(spec.name).safetensors"))
        let schedule = dataset.schedule(steps: steps, batchSize: batchSize, seed: seed)
        let object: [String: Any] = [
            "model": spec.name, "steps": steps, "batch_size": batchSize, "seed": seed,
            "learning_rate": Double(learningRate), "momentum": Double(momentum), "indices": schedule,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try writeAtomically(data, to: directory.appendingPathComponent("\(spec.name).batches.json"), createDirectory: true)
    }
}
