/// The user's line that called the outermost module, so that what a module reports (a shape
/// error, a diagnostic) points at the user's `model(x)` and not at Tandem's own files.
///
/// A plain static, like ``GradMode``: the eager frontend is single-threaded by design.
enum ModuleCallSite {
    /// The location of the outermost module call in progress (nil outside any module call).
    static var current: SourceLocation?
    /// The module called there.
    static var outermost: Module?
}

extension Module {
    /// Applies the module (`model(x)`), remembering the caller's line for errors and diagnostics
    /// raised inside it, then runs ``callAsFunction(_:)`` (forward and hooks, or the module's own
    /// `callAsFunction`).
    ///
    /// - Parameters:
    ///   - input: the module's input.
    ///   - file: the caller's file (filled in by the compiler).
    ///   - line: the caller's line (filled in by the compiler).
    public func callAsFunction(_ input: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        // Only the outermost call records: a Sequential calling its layers is Tandem's code.
        let isOutermost = ModuleCallSite.current == nil
        if isOutermost {
            ModuleCallSite.current = SourceLocation(file, line)
            ModuleCallSite.outermost = self
        }
        defer {
            if isOutermost {
                ModuleCallSite.current = nil
                ModuleCallSite.outermost = nil
            }
        }
        let requirement: (Tensor) -> Tensor = self.callAsFunction
        return requirement(input)
    }

    /// This module's name inside the outermost module being called (`layer1.0.bn1`), or its
    /// type when it is the outermost one or cannot be found.
    var nameInCall: String {
        let type = "\(Swift.type(of: self))"
        guard let root = ModuleCallSite.outermost, root !== self,
            let path = root.namedModules.first(where: { $0.1 === self })?.0
        else { return type }
        return "\(type) '\(path)'"
    }
}
