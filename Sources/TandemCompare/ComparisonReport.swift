import Foundation

/// Everything one comparison measured: per model, both frontends' losses, speed and memory, the
/// parity check, and the debuggability scorecard of the fault catalogue. Rendered as a terminal
/// table (`table()`), JSON (`json()`) and an HTML page (`HTMLReport`).
public struct ComparisonReport {
    /// The results of each model compared.
    public var models: [ModelResult]
    /// The fault catalogue's verdicts for both frontends (and for peers, when merged).
    public var scorecard: [FaultResult]
    /// Figures measured by the optional Python peers script (PyTorch, TensorFlow, JAX), if merged.
    public var peers: PeerResults?
    /// When the comparison ran (ISO 8601).
    public var date: String
    /// A one-line description of the machine and build.
    public var environment: String

    /// Creates a report.
    public init(models: [ModelResult], scorecard: [FaultResult], peers: PeerResults? = nil) {
        self.models = models
        self.scorecard = scorecard
        self.peers = peers
        self.date = ISO8601DateFormatter().string(from: Date())
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        self.environment = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(build)"
    }

    /// The largest loss difference over every model.
    public var maxLossDiff: Double { models.map(\.maxLossDiff).max() ?? 0 }
}

/// What one frontend did on one model.
public struct FrontendResult {
    /// `eager`, `graph` or `traced`.
    public var frontend: String
    /// The training loss at each step, before that step's update.
    public var losses: [Double]
    /// Milliseconds of the first step (for the graph: building the graph, differentiating,
    /// optimising and planning included).
    public var firstStepMs: Double
    /// Milliseconds to build the model before the first step (graph construction; ~0 for eager).
    public var buildMs: Double
    /// Steady-state milliseconds per step: the median over the timed steps.
    public var msPerStep: Double
    /// Every timed step's milliseconds (for the spread).
    public var stepMs: [Double]
    /// Milliseconds per step spent inside kernels (from the core's profiler).
    public var kernelMsPerStep: Double
    /// The share of a step spent outside kernels (dispatch, tape or plan bookkeeping, allocation).
    public var overheadShare: Double { msPerStep > 0 ? max(0, 1 - kernelMsPerStep / msPerStep) : 0 }
    /// Peak bytes above the data set during one steady-state step (weights, optimizer state,
    /// gradients, activations and buffers).
    public var peakBytes: Int
    /// Bytes still live after the step (weights, optimizer state, caches).
    public var liveBytesAfterStep: Int
    /// Live bytes after every op of one steady-state step.
    public var timeline: [MemoryPoint]
    /// The number of kernel calls per step.
    public var opsPerStep: Int

    /// Creates an empty result for a frontend.
    public init(frontend: String) {
        self.frontend = frontend
        losses = []
        firstStepMs = 0
        buildMs = 0
        msPerStep = 0
        stepMs = []
        kernelMsPerStep = 0
        peakBytes = 0
        liveBytesAfterStep = 0
        timeline = []
        opsPerStep = 0
    }
}

/// One point of a memory timeline.
public struct MemoryPoint: Equatable {
    /// The op that just ran.
    public var op: String
    /// Live bytes (above the data set) after it.
    public var liveBytes: Int

    /// Creates a point.
    public init(op: String, liveBytes: Int) {
        self.op = op
        self.liveBytes = liveBytes
    }
}

/// How the two frontends' intermediate values compare on the first batch.
public struct ActivationDiff: Equatable {
    /// The layer, for example `0: Linear(784, 512)`.
    public var layer: String
    /// The largest absolute difference between the eager and graph values.
    public var maxAbsDiff: Double
    /// The shape of the value.
    public var shape: [Int]

    /// Creates a row.
    public init(layer: String, maxAbsDiff: Double, shape: [Int]) {
        self.layer = layer
        self.maxAbsDiff = maxAbsDiff
        self.shape = shape
    }
}

/// Everything measured for one model.
public struct ModelResult {
    /// The spec compared.
    public var spec: ModelSpec
    /// Training steps run by each frontend.
    public var steps: Int
    /// Examples per batch.
    public var batchSize: Int
    /// The seed of the initial weights and the batch order.
    public var seed: UInt64
    /// The eager frontend's figures.
    public var eager: FrontendResult
    /// The graph frontend's figures.
    public var graph: FrontendResult
    /// The traced column's figures (the eager Module traced into one training graph), when run.
    public var traced: FrontendResult?
    /// The tolerance used to call two values different.
    public var tolerance: Double
    /// Layer-by-layer differences on the first batch.
    public var activationDiffs: [ActivationDiff]
    /// The graph frontend's graph before optimisation (DOT), if available.
    public var graphDOTBefore: String?
    /// The graph frontend's graph after optimisation (DOT), if available.
    public var graphDOTAfter: String?
    /// Eager's peak bytes during the same training step when each parameter's SGD step runs
    /// inside backward (a post-accumulate-grad hook) and its gradient is dropped at once; 0 when
    /// not measured. Separates the weight gradients eager keeps until `step()` (a choice) from
    /// the graph's planning (see ``MemoryGap``).
    public var eagerStepInBackwardPeakBytes = 0

    /// Creates a result.
    public init(spec: ModelSpec, steps: Int, batchSize: Int, seed: UInt64, tolerance: Double) {
        self.spec = spec
        self.steps = steps
        self.batchSize = batchSize
        self.seed = seed
        self.tolerance = tolerance
        eager = FrontendResult(frontend: "eager")
        graph = FrontendResult(frontend: "graph")
        activationDiffs = []
    }

    /// The largest absolute difference between the two frontends' losses at the same step.
    public var maxLossDiff: Double {
        var worst = 0.0
        for (a, b) in zip(eager.losses, graph.losses) {
            let d = abs(a - b)
            if !d.isFinite { return .infinity }
            worst = max(worst, d)
        }
        return worst
    }

    /// Every frontend that ran: eager, graph, and traced when it ran.
    public var frontends: [FrontendResult] { [eager, graph] + (traced.map { [$0] } ?? []) }

    /// The largest absolute difference between the eager and traced losses at the same step (nil: not traced).
    public var tracedLossDiff: Double? {
        guard let traced else { return nil }
        var worst = 0.0
        for (a, b) in zip(eager.losses, traced.losses) {
            let d = abs(a - b)
            if !d.isFinite { return .infinity }
            worst = max(worst, d)
        }
        return worst
    }

    /// The loss difference of a frontend's row: against the graph for eager and graph, against
    /// eager for traced.
    public func lossDiff(of frontend: FrontendResult) -> Double {
        frontend.frontend == "traced" ? (tracedLossDiff ?? .nan) : maxLossDiff
    }

    /// The first step whose losses differ by more than the tolerance, if any.
    public var firstDivergentStep: Int? {
        zip(eager.losses, graph.losses).enumerated().first { !(abs($0.element.0 - $0.element.1) <= tolerance) }?.offset
    }

    /// The first layer whose values differ by more than the tolerance on the first batch, if any.
    public var firstDivergentLayer: ActivationDiff? {
        activationDiffs.first { !($0.maxAbsDiff <= tolerance) }
    }
}

/// Figures from the optional Python peers script, merged into the report.
public struct PeerResults {
    /// Per peer framework (`pytorch`, `tensorflow1`, `jax`), per model name: losses, ms per step, peak bytes.
    public var frameworks: [String: [String: PeerFigures]]
    /// Scorecard rows measured by running the fault catalogue as real Python programs.
    public var scorecard: [FaultResult]
    /// Versions and notes the script recorded.
    public var notes: [String]

    /// Creates peer results.
    public init(frameworks: [String: [String: PeerFigures]], scorecard: [FaultResult], notes: [String]) {
        self.frameworks = frameworks
        self.scorecard = scorecard
        self.notes = notes
    }
}

/// One peer framework's figures on one model.
public struct PeerFigures {
    /// Loss per step.
    public var losses: [Double]
    /// Steady-state milliseconds per step (median).
    public var msPerStep: Double?
    /// First step milliseconds.
    public var firstStepMs: Double?
    /// Peak bytes, when the framework could measure them.
    public var peakBytes: Int?
    /// Whether the peer started from Tandem's exported weights and batch order, so its losses
    /// should equal Tandem's step for step.
    public var sameStart: Bool

    /// Creates figures.
    public init(losses: [Double], msPerStep: Double?, firstStepMs: Double?, peakBytes: Int?, sameStart: Bool = false) {
        self.losses = losses
        self.msPerStep = msPerStep
        self.firstStepMs = firstStepMs
        self.peakBytes = peakBytes
        self.sameStart = sameStart
    }

    /// The largest loss difference to `reference` at the same step, when both started alike.
    public func maxLossDiff(to reference: [Double]) -> Double? {
        guard sameStart, !losses.isEmpty, losses.count <= reference.count else { return nil }
        return zip(losses, reference).map { abs($0 - $1) }.max()
    }
}
