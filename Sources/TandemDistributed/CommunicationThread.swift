import Foundation

/// The one thread that makes MPI calls, one job at a time, in the order jobs were submitted.
///
/// Funnelling every call through one thread is what lets the eager frontend overlap
/// communication with backward (the main thread keeps differentiating while this thread
/// drives an allreduce) while MPI only needs `MPI_THREAD_SERIALIZED`. Because jobs run in
/// submission order, ranks that submit the same collectives in the same order also call MPI in
/// the same order, which MPI requires.
///
/// When the MPI library offers less thread support, the thread is not started and jobs run at
/// once on the submitting thread (no overlap, same results).
final class CommunicationThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []
    private let runsInline: Bool

    /// Starts the thread (or, with `inline`, runs jobs on the caller).
    init(inline: Bool) {
        runsInline = inline
        guard !inline else { return }
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "tandem-mpi"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `job` after every job submitted before it.
    func submit(_ job: @escaping () -> Void) {
        if runsInline {
            job()
            return
        }
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `job` after every earlier job and returns its result (the caller blocks).
    func sync<R>(_ job: @escaping () -> R) -> R {
        if runsInline { return job() }
        let done = DispatchSemaphore(value: 0)
        var result: R?
        submit {
            result = job()
            done.signal()
        }
        done.wait()
        return result!
    }

    /// Like ``sync(_:)``, but gives up waiting after `timeout` seconds (nil then).
    func sync<R>(timeout: TimeInterval, _ job: @escaping () -> R) -> R? {
        if runsInline { return job() }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<R>()
        submit {
            box.set(job())
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return box.get()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let job = queue.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A value handed from the communication thread to a waiter that may have given up.
private final class ResultBox<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: R?
    func set(_ v: R) { lock.lock(); value = v; lock.unlock() }
    func get() -> R? { lock.lock(); defer { lock.unlock() }; return value }
}
