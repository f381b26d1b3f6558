/// Anomaly detection (`torch.autograd.detect_anomaly`): stops at the first op whose forward
/// result or backward gradient holds NaN or infinity.
///
/// NOTE: PyTorch's anomaly mode checks only the backward pass (and records forward stack traces
/// to point at the op). Tandem checks both: every result is already tagged with the user's line,
/// so the first non-finite forward value is reported where it appears, which is usually the real
/// cause (a `log` of a negative number, a division by zero). The check reads every element, so
/// it slows training; turn it on to debug, not for production runs.
public enum AnomalyMode {
    /// Whether every op's output and every gradient is checked for NaN and infinity.
    public static var isEnabled = false
}

/// Runs `body` with anomaly detection on. The first op whose forward or backward produces NaN or
/// Inf reports `TandemError.nonFinite` naming the op, the phase, the input shapes and the line
/// that called the op: fatal outside a `checked` scope, thrown by the scope inside one.
///
/// ```swift
/// try detectAnomaly {
///     let loss = model(x).log().mean()   // reports "log: forward produced NaN or Inf ... (at main.swift:2)"
///     loss.backward()
/// }
/// ```
@discardableResult
public func detectAnomaly<R>(_ body: () throws -> R) rethrows -> R {
    let saved = AnomalyMode.isEnabled
    AnomalyMode.isEnabled = true
    defer { AnomalyMode.isEnabled = saved }
    return try body()
}

/// Runs `body` with anomaly detection inside a `checked` scope, throwing the first anomaly (or any
/// other Tandem error) instead of stopping the program.
///
/// ```swift
/// do { try detectAnomalyChecked { loss.backward() } } catch { print(error) }
/// ```
@discardableResult
public func detectAnomalyChecked<R>(_ body: () throws -> R) throws -> R {
    try checked { try detectAnomaly(body) }
}
