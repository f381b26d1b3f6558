import Foundation
import TandemDistributed

/// A long training run that samples the resident set size (RSS) as it goes, to show whether
/// memory stays flat after warm-up (`tandem soak`).
///
/// The model trains with the reference recipe (batch 64, SGD lr 0.05 momentum 0.9) on the
/// bundled MNIST, cycling through one shuffled epoch's batches so the run itself keeps nothing
/// per step. RSS is sampled before the first step, every ``every`` steps and after the last.
public struct SoakRun {
    /// One RSS reading.
    public struct Sample: Equatable, Sendable {
        /// Steps done when the reading was taken (0: the trainer is built, nothing trained).
        public var step: Int
        /// The resident set size in bytes.
        public var residentBytes: Int
    }

    /// What a run measured.
    public struct Result {
        /// The model's short name (`mlp`, `cnn`).
        public var model: String
        /// The frontend that trained.
        public var frontend: ReferenceTraining.Frontend
        /// Steps trained.
        public var steps: Int
        /// The RSS curve, in step order.
        public var samples: [Sample]
        /// Where the readings came from (`statm`: current RSS; `maxrss`: the peak so far).
        public var source: ResidentMemory.Source
        /// The step the warm-up ends at; growth is measured from the first sample at or after it.
        public var warmUpStep: Int
        /// The loss of the last step.
        public var finalLoss: Double
        /// Wall-clock seconds of the training loop.
        public var seconds: Double

        /// The samples after warm-up (at least the last sample).
        public var steadySamples: [Sample] {
            let steady = samples.filter { $0.step >= warmUpStep }
            return steady.isEmpty ? Array(samples.suffix(1)) : steady
        }

        /// RSS at the end minus RSS at the end of warm-up, in bytes.
        public var growthBytes: Int {
            let steady = steadySamples
            return steady.last!.residentBytes - steady.first!.residentBytes
        }

        /// The least-squares slope of RSS over the steady samples, in bytes per 1000 steps
        /// (0 with fewer than two steady samples).
        public var growthBytesPerThousandSteps: Double {
            let steady = steadySamples
            guard steady.count >= 2 else { return 0 }
            let n = Double(steady.count)
            let meanX = steady.reduce(0.0) { $0 + Double($1.step) } / n
            let meanY = steady.reduce(0.0) { $0 + Double($1.residentBytes) } / n
            var covariance = 0.0, variance = 0.0
            for sample in steady {
                let dx = Double(sample.step) - meanX
                covariance += dx * (Double(sample.residentBytes) - meanY)
                variance += dx * dx
            }
            return variance > 0 ? covariance / variance * 1000 : 0
        }

        /// The run as a JSON object: settings, the curve (`step`, `rss_bytes`, `rss_mb`) and the verdict.
        public var jsonObject: [String: Any] {
            [
                "model": model, "frontend": frontend.rawValue, "steps": steps, "rss_source": source.rawValue,
                "warm_up_step": warmUpStep, "final_loss": finalLoss, "seconds": seconds,
                "curve": samples.map { ["step": $0.step, "rss_bytes": $0.residentBytes, "rss_mb": Double($0.residentBytes) / 1e6] },
                "growth_mb": Double(growthBytes) / 1e6,
                "growth_mb_per_1000_steps": growthBytesPerThousandSteps / 1e6,
            ]
        }
    }

    /// The model.
    public var spec: ModelSpec
    /// The frontend.
    public var frontend: ReferenceTraining.Frontend
    /// Training steps.
    public var steps = 10_000
    /// Steps between RSS samples.
    public var every = 500
    /// The fraction of the steps counted as warm-up (allocator pools, caches and buffers filling up).
    public var warmUpFraction = 0.1
    /// Examples per step.
    public var batchSize = 64
    /// Seeds the weights and the shuffling.
    public var seed: UInt64 = 0

    /// A run of `spec` in `frontend` with the defaults (10,000 steps, a sample every 500).
    public init(spec: ModelSpec, frontend: ReferenceTraining.Frontend) {
        self.spec = spec
        self.frontend = frontend
    }

    /// Trains `steps` steps on `train`, calling `onSample` with each RSS reading as it is taken.
    public func run(train: ComparisonDataset, onSample: (Sample) -> Void = { _ in }) throws -> Result {
        guard steps >= 1 else {
            throw TandemError.invalidValue(op: "SoakRun", reason: "steps \(steps) must be at least 1", location: nil)
        }
        guard every >= 1 else {
            throw TandemError.invalidValue(op: "SoakRun", reason: "every \(every) must be at least 1", location: nil)
        }
        guard warmUpFraction >= 0 && warmUpFraction < 1 else {
            throw TandemError.invalidValue(
                op: "SoakRun", reason: "warm-up fraction \(warmUpFraction) must be in 0..<1", location: nil)
        }
        try train.validate(batchSize: batchSize, for: "SoakRun")
        var comparison = Comparison(spec: spec, dataset: train, steps: 1, batchSize: batchSize, seed: seed)
        comparison.learningRate = 0.05
        comparison.momentum = 0.9
        let weights = spec.initialWeights(seed: seed)
        let trainer: Trainer
        switch frontend {
        case .eager: trainer = try ModuleTrainer(comparison, weights: weights)
        case .graph: trainer = try GraphTrainer(comparison, weights: weights)
        }
        let epoch = train.schedule(steps: train.count / batchSize, batchSize: batchSize, seed: seed)
        var samples: [Sample] = []
        samples.reserveCapacity(steps / every + 2)
        var source = ResidentMemory.Source.statm
        func sample(_ step: Int) throws {
            guard let reading = ResidentMemory.current() else {
                throw TandemError.invalidValue(
                    op: "SoakRun", reason: "cannot read the resident set size (/proc/self/statm, getrusage)", location: nil)
            }
            source = reading.source
            let value = Sample(step: step, residentBytes: reading.bytes)
            samples.append(value)
            onSample(value)
        }
        try sample(0)
        var loss = 0.0
        let start = Date()
        for step in 1...steps {
            let (x, y) = train.batch(epoch[(step - 1) % epoch.count], for: spec)
            loss = try trainer.step(x, y)
            if step % every == 0 || step == steps { try sample(step) }
        }
        let seconds = Date().timeIntervalSince(start)
        return Result(
            model: spec.name, frontend: frontend, steps: steps, samples: samples, source: source,
            warmUpStep: Int((Double(steps) * warmUpFraction).rounded(.up)), finalLoss: loss, seconds: seconds)
    }
}
