/// Whether ops record on the tape (`torch.is_grad_enabled()`).
///
/// A plain static flag: the eager frontend is meant for single-threaded use, like a Python
/// training loop, and reading a static costs nothing on the per-op path.
public enum GradMode {
    /// True unless inside ``noGrad(_:)`` (or during `backward()`, which computes gradients
    /// without recording them).
    public static var isEnabled = true
}

/// Runs `body` without recording ops on the tape (`with torch.no_grad():`): results do not
/// require gradients and hold no graph, which saves memory in evaluation and in weight updates.
///
/// ```swift
/// let predictions = noGrad { model(images) }
/// ```
@discardableResult
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = saved }
    return try body()
}

/// Runs `body` with recording on, even inside ``noGrad(_:)`` (`with torch.enable_grad():`).
@discardableResult
public func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = saved }
    return try body()
}
