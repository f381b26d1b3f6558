import Foundation

/// Runs `body` so that errors raised by ops inside it are thrown instead of stopping the process.
///
/// Plain operator arithmetic (`a + b`, `x.matmul(w)`) cannot throw in Swift. Outside a checked
/// scope, a bad shape stops the program with a message naming the op, the shapes and your line,
/// as an uncaught exception does in Python. Inside one, the first error is recorded, later ops
/// pass an empty placeholder value along without computing, and `checked` throws that first
/// error when `body` returns.
///
/// ```swift
/// do {
///     try checked { _ = a.matmul(b) }        // a: [2, 3], b: [4, 5]
/// } catch {
///     print(error)  // matmul: inner dimensions differ (3 vs 4); input shapes [2, 3], [4, 5] (at main.swift:2)
/// }
/// ```
public func checked<R>(_ body: () throws -> R) throws -> R {
    let scope = ErrorScope.push()
    defer { ErrorScope.pop(scope) }
    let result = try body()
    if let error = scope.firstError { throw error }
    return result
}

/// The stack of active `checked` scopes of the current thread.
public final class ErrorScope {
    /// The first error reported inside this scope, if any.
    public private(set) var firstError: TandemError?

    /// The scopes of one thread, held through a POSIX thread-specific key: reading it is a few
    /// instructions, where `Thread.current.threadDictionary` hashed a string key and bridged an
    /// array on every `checked` call and every error check.
    private final class Stack {
        var scopes: [ErrorScope] = []
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "Tandem: pthread_key_create failed (\(status))")
        return key
    }()

    /// This thread's stack, created on first use.
    private static var current: Stack {
        if let pointer = pthread_getspecific(key) { return Unmanaged<Stack>.fromOpaque(pointer).takeUnretainedValue() }
        let stack = Stack()
        pthread_setspecific(key, Unmanaged.passRetained(stack).toOpaque())
        return stack
    }

    static func push() -> ErrorScope {
        let scope = ErrorScope()
        current.scopes.append(scope)
        return scope
    }

    static func pop(_ scope: ErrorScope) {
        let stack = current
        if let index = stack.scopes.lastIndex(where: { $0 === scope }) { stack.scopes.remove(at: index) }
    }

    /// Whether a `checked` scope is active on this thread.
    public static var isActive: Bool { !current.scopes.isEmpty }

    /// Whether the innermost scope has already recorded an error (later ops skip their work).
    public static var hasError: Bool { current.scopes.last?.firstError != nil }

    /// Reports an error: recorded by the innermost `checked` scope, or, outside any scope,
    /// fatal with the error's message (the equivalent of an uncaught exception).
    public static func report(_ error: TandemError) {
        if let scope = current.scopes.last {
            if scope.firstError == nil { scope.firstError = error }
        } else {
            fatalError("Tandem error: \(error)")
        }
    }
}
