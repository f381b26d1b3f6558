import Foundation

/// Warnings about training-loop mistakes that compute without failing: gradients that silently
/// accumulate over several `backward()` calls, a tape that keeps growing across steps (a loss
/// summed with its history), and a model evaluated in training mode (batch norm or dropout
/// called inside `noGrad { }` without `eval()`, named with the line of the model call).
///
/// Each kind of warning is emitted once per process (until ``reset()``), to the replaceable
/// ``sink`` (standard error by default), and kept in ``warnings`` so tools such as the comparison
/// harness can read them.
///
/// ```swift
/// Diagnostics.sink = { _ in }          // silence
/// train()
/// print(Diagnostics.warnings)
/// ```
public enum Diagnostics {
    /// Every warning emitted since the process started or ``reset()`` was called.
    public private(set) static var warnings: [String] = []

    /// Where warnings go; standard error by default.
    public static var sink: (String) -> Void = { message in
        FileHandle.standardError.write(Data(("Tandem warning: " + message + "\n").utf8))
    }

    /// How many consecutive optimizer steps the number of live tape nodes may grow before it is
    /// reported as a leak.
    public static var tapeGrowthSteps = 5

    private static var emitted: Set<String> = []

    /// Forgets the emitted warnings (each kind may be emitted again).
    public static func reset() {
        warnings = []
        emitted = []
        lastLiveNodes = -1
        growingSteps = 0
    }

    /// Emits a warning once per `key`.
    static func warnOnce(_ key: String, _ message: @autoclosure () -> String) {
        guard !emitted.contains(key) else { return }
        emitted.insert(key)
        let text = message()
        warnings.append(text)
        sink(text)
    }

    // Tape-growth tracking, updated by every optimizer step: two integer compares per step.
    private static var lastLiveNodes = -1
    private static var growingSteps = 0

    /// Called by optimizers after each step.
    static func didStep() {
        let live = TapeNode.liveCount
        if live > lastLiveNodes && lastLiveNodes >= 0 {
            growingSteps += 1
        } else {
            growingSteps = 0
        }
        lastLiveNodes = live
        if growingSteps >= tapeGrowthSteps {
            warnOnce(
                "tape-growth",
                "the number of live autograd tape nodes grew over \(growingSteps) optimizer steps "
                    + "(now \(live)). A value that keeps its history across steps (for example "
                    + "`total = total + loss` instead of `total += loss.item()`) keeps every step's graph alive; "
                    + "use item() or detach().")
        }
    }
}
