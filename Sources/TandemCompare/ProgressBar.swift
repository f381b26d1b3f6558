import Foundation

/// A one-line progress bar on standard error, redrawn in place (`\r`), shown only when standard
/// error is a terminal (or when forced), so logs and pipes stay clean.
///
/// ```swift
/// let bar = ProgressBar(total: 200, label: "mlp eager")
/// for step in 0..<200 { train(); bar.update(step + 1, note: "loss 0.31") }
/// bar.finish()
/// ```
public final class ProgressBar {
    /// The number of units of work.
    public let total: Int
    /// Text shown before the bar.
    public var label: String
    /// Whether anything is drawn.
    public let isEnabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var current = 0

    /// Creates a bar.
    ///
    /// - Parameters:
    ///   - total: how many units the work has.
    ///   - label: what is running.
    ///   - enabled: draw even when standard error is not a terminal (nil: only on a terminal).
    public init(total: Int, label: String, enabled: Bool? = nil) {
        self.total = max(total, 1)
        self.label = label
        self.isEnabled = enabled ?? (isatty(2) != 0)
    }

    /// Sets the progress to `done` units and redraws (at most 20 times a second).
    public func update(_ done: Int, note: String = "") {
        current = min(done, total)
        guard isEnabled else { return }
        let now = Date()
        if current < total && now.timeIntervalSince(lastDraw) < 0.05 { return }
        lastDraw = now
        let width = 28
        let filled = width * current / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = now.timeIntervalSince(start)
        let line = String(format: "\r%@ %@ %d/%d %5.1fs %@", label, bar, current, total, elapsed, note)
        FileHandle.standardError.write((line + "\u{1B}[K").data(using: .utf8)!)
    }

    /// Draws the bar full and moves to the next line.
    public func finish(note: String = "") {
        guard isEnabled else { return }
        lastDraw = .distantPast
        update(total, note: note)
        FileHandle.standardError.write("\n".data(using: .utf8)!)
    }
}
