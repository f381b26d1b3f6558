import Foundation
import TandemKernels

/// A collective started with ``ProcessGroup/allreduceAsync(_:op:label:)`` that may still be
/// running on the communication thread (PyTorch's `Work` from `async_op=True`).
///
/// ```swift
/// let work = group.allreduceAsync(gradients, op: .average)
/// ... // other work overlaps the communication
/// let averaged = try work.wait()
/// ```
public final class CollectiveWork: @unchecked Sendable {
    private var values: NDArray
    private var error: TandemError?
    private var isDone = false
    private let condition = NSCondition()

    /// The first element of the values the communication thread works on.
    let pointer: UnsafeMutablePointer<Float>

    init(_ values: NDArray) {
        self.values = values
        pointer = values.storage.pointer + values.offset
    }

    /// A factor the result still needs (the average of an allreduce), applied by the waiter.
    private var scale: Float?

    /// Marks the collective done (from the communication thread); `scale` is applied to the
    /// result by ``wait()``, on the waiter's thread.
    func complete(_ error: TandemError?, scale: Float? = nil) {
        condition.lock()
        self.error = error
        self.scale = scale
        isDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the collective has finished (successfully or not).
    public var isCompleted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isDone
    }

    /// Waits for the collective and returns its result, or throws its error.
    @discardableResult
    public func wait() throws -> NDArray {
        try waitTyped()
    }

    func waitTyped() throws(TandemError) -> NDArray {
        condition.lock()
        while !isDone { condition.wait() }
        let error = self.error
        let factor = scale
        scale = nil
        condition.unlock()
        if let error { throw error }
        if let factor { OptimizerKernels.scale(&values, by: factor) }
        return values
    }
}
