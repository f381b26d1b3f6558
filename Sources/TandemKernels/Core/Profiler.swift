import Dispatch

/// Opt-in instrumentation of the kernel core, used by the comparison harness to split a training
/// step into kernel time and framework overhead and to draw memory timelines.
///
/// Off by default; when off, the cost is one load of a flag per op. Not thread-safe: enable it
/// around single-threaded work (a training step), read it, then disable it.
///
/// ```swift
/// Profiler.start(recordTimeline: true)
/// trainStep()
/// let profile = Profiler.stop()
/// print(profile.kernelNanoseconds, profile.timeline.count)
/// ```
public enum Profiler {
    /// One op evaluation as seen by the profiler.
    public struct Event: Sendable {
        /// The op's name.
        public let op: String
        /// Nanoseconds spent in the op's kernel (shape checks and allocation included).
        public let nanoseconds: UInt64
        /// `MemoryStats.liveBytes` right after the op.
        public let liveBytes: Int
    }

    /// What a profiling window measured.
    public struct Profile: Sendable {
        /// Total nanoseconds inside kernels (op evaluation and optimizer updates).
        public var kernelNanoseconds: UInt64 = 0
        /// How many ops were evaluated.
        public var opCount = 0
        /// Every op in order, when the timeline was requested.
        public var timeline: [Event] = []
    }

    /// Whether the profiler is recording.
    public private(set) static var isEnabled = false
    private static var recordTimeline = false
    private static var current = Profile()

    /// Starts a new profiling window.
    public static func start(recordTimeline: Bool = false) {
        current = Profile()
        self.recordTimeline = recordTimeline
        isEnabled = true
    }

    /// Ends the window and returns what it measured.
    @discardableResult
    public static func stop() -> Profile {
        isEnabled = false
        return current
    }

    /// The current time in nanoseconds (monotonic).
    @inline(__always)
    public static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Records one kernel run that started at `start` (from `now()`).
    public static func record(_ op: String, since start: UInt64) {
        let elapsed = now() &- start
        current.kernelNanoseconds &+= elapsed
        current.opCount += 1
        if recordTimeline {
            current.timeline.append(Event(op: op, nanoseconds: elapsed, liveBytes: MemoryStats.liveBytes))
        }
    }

    /// Times `body` as kernel work named `op` when profiling is on.
    @inline(__always)
    public static func measure<R>(_ op: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard isEnabled else { return try body() }
        let start = now()
        defer { record(op(), since: start) }
        return try body()
    }
}
