import Foundation

extension Comparison {
    /// Trains one frontend over the schedule and measures it.
    ///
    /// Step 0 is the first step (for the graph, its first `Session.run` optimises and plans, and
    /// building the graph is added as `buildMs`). Step 1 is profiled with a memory timeline
    /// (`Comparison+Memory.swift`), steps 2 and 3 with the kernel profiler (kernel time versus
    /// overhead), and the remaining steps are timed plainly: their median is the steady state.
    /// Every step, profiled or not, is a real training step, so the loss sequence is complete.
    func measure(_ frontend: String, schedule: [[Int]], make: () throws -> Trainer) throws -> FrontendResult {
        var result = FrontendResult(frontend: frontend)
        let baseline = MemoryStats.liveBytes
        let bar = ProgressBar(total: schedule.count, label: "\(spec.name) \(frontend)", enabled: showProgress)
        let buildStart = Profiler.now()
        let trainer = try make()
        result.buildMs = milliseconds(since: buildStart)

        let memoryStep = schedule.count > 1 ? 1 : 0
        // A run of one or two steps has no kernel-profiled step (an empty range, not 2..<1).
        let kernelSteps = 2..<max(2, min(4, schedule.count))
        var kernelNanoseconds: UInt64 = 0, profiledNanoseconds: UInt64 = 0
        var timed: [Double] = []
        for (i, indices) in schedule.enumerated() {
            let (inputs, labels) = dataset.batch(indices, for: spec)
            let loss: Double
            if i == memoryStep {
                let memory = try measureMemory(trainer, inputs, labels, baseline: baseline)
                loss = memory.loss
                result.peakBytes = memory.peakBytes
                result.liveBytesAfterStep = memory.liveBytesAfterStep
                result.timeline = memory.timeline
                result.opsPerStep = memory.profile.opCount
                if kernelSteps.isEmpty {
                    kernelNanoseconds = memory.profile.kernelNanoseconds
                    profiledNanoseconds = memory.nanoseconds
                }
                if i == 0 { result.firstStepMs = Double(memory.nanoseconds) / 1e6 + result.buildMs }
            } else if kernelSteps.contains(i) {
                Profiler.start()
                let start = Profiler.now()
                defer { kernelNanoseconds &+= Profiler.stop().kernelNanoseconds }
                loss = try trainer.step(inputs, labels)
                profiledNanoseconds &+= Profiler.now() &- start
            } else {
                let start = Profiler.now()
                loss = try trainer.step(inputs, labels)
                let ms = milliseconds(since: start)
                if i == 0 { result.firstStepMs = ms + result.buildMs } else { timed.append(ms) }
            }
            result.losses.append(loss)
            bar.update(i + 1, note: String(format: "loss %.4f", loss))
        }
        bar.finish(note: String(format: "loss %.4f", result.losses.last ?? .nan))
        // With very few steps there may be no plain timed step: fall back to the profiled ones.
        if timed.isEmpty && profiledNanoseconds > 0 {
            timed = [Double(profiledNanoseconds) / 1e6 / Double(max(kernelSteps.count, 1))]
        }
        if timed.isEmpty { timed = [result.firstStepMs - result.buildMs] }
        result.stepMs = timed
        result.msPerStep = median(timed)
        let kernelShare = profiledNanoseconds > 0 ? min(1, Double(kernelNanoseconds) / Double(profiledNanoseconds)) : 0
        result.kernelMsPerStep = kernelShare * result.msPerStep
        return result
    }
}

/// Milliseconds since a `Profiler.now()` reading.
func milliseconds(since start: UInt64) -> Double { Double(Profiler.now() &- start) / 1e6 }

/// The median (the mean of the middle two for an even count); 0 for no values.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
