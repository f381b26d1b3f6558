/// A forward hook: called with the module, its input and its output after each call.
public typealias ForwardHook = (Module, Tensor, Tensor) -> Void

extension Module {
    /// Registers a hook called after every forward of this module with the module, its input and
    /// its output (`register_forward_hook`), for example to print activation statistics.
    ///
    /// ```swift
    /// let handle = model[0].registerForwardHook { module, input, output in
    ///     print(type(of: module), output.shape)
    /// }
    /// handle.remove()
    /// ```
    @discardableResult
    public func registerForwardHook(_ hook: @escaping ForwardHook) -> HookHandle {
        ModuleRegistry.addForwardHook(self, hook)
    }
}

/// Per-module state that a protocol cannot store: training mode and forward hooks, kept in side
/// tables keyed by object identity (with a weak reference, so a dead module's entry is ignored
/// and pruned). Single-threaded, like the rest of the eager frontend.
enum ModuleRegistry {
    private final class Entry {
        weak var module: AnyObject?
        var isTraining = true
        var hooks: [(id: Int, hook: ForwardHook)] = []
        init(_ module: AnyObject) { self.module = module }
    }

    private static var entries: [ObjectIdentifier: Entry] = [:]
    /// How many forward hooks exist (the hot path checks only this).
    static var forwardHookCount = 0

    private static func entry(_ module: AnyObject, create: Bool) -> Entry? {
        let key = ObjectIdentifier(module)
        if let entry = entries[key], entry.module === module { return entry }
        guard create else { return nil }
        if entries.count > 64 { prune() }
        let entry = Entry(module)
        entries[key] = entry
        return entry
    }

    private static func prune() {
        for (key, entry) in entries where entry.module == nil {
            forwardHookCount -= entry.hooks.count
            entries[key] = nil
        }
    }

    static func isTraining(_ module: AnyObject) -> Bool {
        entry(module, create: false)?.isTraining ?? true
    }

    static func setTraining(_ module: AnyObject, _ mode: Bool) {
        if mode && entry(module, create: false) == nil { return }
        entry(module, create: true)!.isTraining = mode
    }

    static func addForwardHook(_ module: AnyObject, _ hook: @escaping ForwardHook) -> HookHandle {
        let id = HookHandle.nextID()
        entry(module, create: true)!.hooks.append((id, hook))
        forwardHookCount += 1
        return HookHandle { [weak module] in
            guard let module, let entry = entry(module, create: false) else { return }
            let before = entry.hooks.count
            entry.hooks.removeAll { $0.id == id }
            forwardHookCount -= before - entry.hooks.count
        }
    }

    static func runForwardHooks(_ module: Module, _ input: Tensor, _ output: Tensor) {
        guard let entry = entry(module, create: false) else { return }
        for (_, hook) in entry.hooks { hook(module, input, output) }
    }
}
