extension Comparison {
    /// What one profiled step used.
    struct MemoryMeasurement {
        var loss: Double
        var peakBytes: Int
        var liveBytesAfterStep: Int
        var timeline: [MemoryPoint]
        var profile: Profiler.Profile
        var nanoseconds: UInt64
    }

    /// Runs one training step with the peak reset and the profiler's per-op timeline on.
    ///
    /// Bytes are counted above `baseline`, the live bytes before the frontend was built (the data
    /// set and anything else the process holds), so the figure covers the frontend's weights,
    /// optimizer state, gradients, activations and buffers, and nothing of the other frontend.
    func measureMemory(_ trainer: Trainer, _ inputs: NDArray, _ labels: [Int], baseline: Int) throws -> MemoryMeasurement {
        MemoryStats.resetPeak()
        Profiler.start(recordTimeline: true)
        let start = Profiler.now()
        let loss: Double
        do {
            loss = try trainer.step(inputs, labels)
        } catch {
            Profiler.stop()
            throw error
        }
        let nanoseconds = Profiler.now() &- start
        let profile = Profiler.stop()
        return MemoryMeasurement(
            loss: loss, peakBytes: MemoryStats.peakBytes - baseline, liveBytesAfterStep: MemoryStats.liveBytes - baseline,
            timeline: profile.timeline.map { MemoryPoint(op: $0.op, liveBytes: $0.liveBytes - baseline) },
            profile: profile, nanoseconds: nanoseconds)
    }

    /// Eager's peak bytes in the same step ``measure(_:schedule:make:)`` profiles (the second),
    /// with each parameter stepped inside backward (``EagerStepInBackwardTrainer``).
    func measureStepInBackward(weights: [(name: String, value: NDArray)], schedule: [[Int]]) throws -> Int {
        let baseline = MemoryStats.liveBytes
        let trainer = try EagerStepInBackwardTrainer(self, weights: weights)
        var peak = 0
        for indices in schedule.prefix(2) {
            let (inputs, labels) = dataset.batch(indices, for: spec)
            peak = try measureMemory(trainer, inputs, labels, baseline: baseline).peakBytes
        }
        return peak
    }
}
