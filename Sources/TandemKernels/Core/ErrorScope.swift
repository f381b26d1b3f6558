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

    private static let key = "tandem.error-scopes"

    private static var stack: [ErrorScope] {
        get { Thread.current.threadDictionary[key] as? [ErrorScope] ?? [] }
        set { Thread.current.threadDictionary[key] = newValue }
    }

    static func push() -> ErrorScope {
        let scope = ErrorScope()
        stack.append(scope)
        return scope
    }

    static func pop(_ scope: ErrorScope) {
        var current = stack
        if let index = current.lastIndex(where: { $0 === scope }) { current.remove(at: index) }
        stack = current
    }

    /// Whether a `checked` scope is active on this thread.
    public static var isActive: Bool { !stack.isEmpty }

    /// Whether the innermost scope has already recorded an error (later ops skip their work).
    public static var hasError: Bool { stack.last?.firstError != nil }

    /// Reports an error: recorded by the innermost `checked` scope, or, outside any scope,
    /// fatal with the error's message (the equivalent of an uncaught exception).
    public static func report(_ error: TandemError) {
        if let scope = stack.last {
            if scope.firstError == nil { scope.firstError = error }
        } else {
            fatalError("Tandem error: \(error)")
        }
    }
}
