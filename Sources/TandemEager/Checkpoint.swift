import Foundation

/// Everything a training loop needs to resume exactly where it stopped, in one file: the model's
/// state dict, the optimizer's state (buffers, step counts, hyperparameters), the scheduler's
/// state, and the epoch. PyTorch's idiom
/// `torch.save({"epoch": e, "model_state_dict": ..., "optimizer_state_dict": ..., "scheduler_state_dict": ...}, path)`.
///
/// ```swift
/// // at the end of every epoch
/// try Checkpoint(model: model, optimizer: optimizer, scheduler: scheduler, epoch: epoch + 1).save(to: url)
///
/// // on start-up, with freshly built objects
/// let checkpoint = try Checkpoint(contentsOf: url)
/// try checkpoint.restore(model: model, optimizer: optimizer, scheduler: scheduler)
/// for epoch in checkpoint.epoch..<epochs { ... }
/// ```
///
/// The file is safetensors (written atomically, through `writeAtomically`): the entries of the
/// three state dicts with the prefixes `model.`, `optimizer.` and `scheduler.`, and in the
/// header's `__metadata__` the format version (`tandem.checkpoint`: `1`), the `epoch`, the
/// optimizer's and scheduler's type names (`optimizer`, `scheduler`), and your own ``metadata``.
/// `safetensors.torch.load_file` opens it; splitting the keys at their first dot gives the
/// three dicts.
public struct Checkpoint {
    /// The model's state dict (`Module.stateDict()`).
    public var model: [String: NDArray]
    /// The optimizer's state dict (`Optimizer.stateDict()`).
    public var optimizer: [String: NDArray]
    /// The scheduler's state dict, or nil when the run has no scheduler.
    public var scheduler: [String: NDArray]?
    /// The optimizer's type name (`SGD`, `AdamW`, ...), checked when restoring.
    public var optimizerType: String
    /// The scheduler's type name, checked when restoring.
    public var schedulerType: String?
    /// The number of epochs completed: the epoch to resume at.
    public var epoch: Int
    /// Your own strings, stored in the file's header (for example a run name or a git commit).
    public var metadata: [String: String]

    /// The `__metadata__` keys the checkpoint itself uses (your ``metadata`` may not use them).
    public static let reservedMetadataKeys: Set<String> = ["format", "tandem.checkpoint", "epoch", "optimizer", "scheduler"]
    private static let formatVersion = "1"

    /// Captures the current state of a training run (the arrays are shared copy-on-write, so later
    /// steps do not change the checkpoint).
    ///
    /// - Parameters:
    ///   - model: the model being trained.
    ///   - optimizer: its optimizer.
    ///   - scheduler: its learning-rate scheduler, if any.
    ///   - epoch: the number of epochs completed.
    ///   - metadata: your own strings to store in the file.
    public init(
        model: Module, optimizer: Optimizer, scheduler: LRScheduler? = nil, epoch: Int, metadata: [String: String] = [:]
    ) {
        self.model = model.stateDict()
        self.optimizer = optimizer.stateDict()
        self.scheduler = scheduler?.stateDict()
        optimizerType = "\(type(of: optimizer))"
        schedulerType = scheduler.map { "\(type(of: $0))" }
        self.epoch = epoch
        self.metadata = metadata
    }

    /// Reads a checkpoint written by ``save(to:)``, validating the file completely.
    ///
    /// - Parameter url: the checkpoint file.
    /// - Throws: `TandemError.file` naming the file when it is missing, corrupt, not a Tandem
    ///   checkpoint, or written by a newer format version.
    public init(contentsOf url: URL) throws {
        func fail(_ reason: String) -> TandemError { .file(path: url.path, reason: reason) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw fail("cannot be read (\(error.localizedDescription))")
        }
        let (tensors, header) = try SafeTensors.decodeWithMetadata(data, path: url.path)
        guard let version = header["tandem.checkpoint"] else {
            throw fail("not a Tandem checkpoint (no \"tandem.checkpoint\" in the metadata); a plain state dict loads with load(from:)")
        }
        guard version == Checkpoint.formatVersion else {
            throw fail("checkpoint format version \(version); this build of Tandem reads version \(Checkpoint.formatVersion)")
        }
        guard let epochText = header["epoch"], let epoch = Int(epochText), epoch >= 0 else {
            throw fail("corrupt checkpoint: the epoch \(header["epoch"].map { "\"\($0)\"" } ?? "is missing") is not a whole number >= 0")
        }
        guard let optimizerType = header["optimizer"] else { throw fail("corrupt checkpoint: no optimizer type in the metadata") }
        var model: [String: NDArray] = [:], optimizer: [String: NDArray] = [:], scheduler: [String: NDArray] = [:]
        for (key, value) in tensors {
            if key.hasPrefix("model.") {
                model[String(key.dropFirst(6))] = value
            } else if key.hasPrefix("optimizer.") {
                optimizer[String(key.dropFirst(10))] = value
            } else if key.hasPrefix("scheduler.") {
                scheduler[String(key.dropFirst(10))] = value
            } else {
                throw fail("corrupt checkpoint: key \"\(key)\" has none of the prefixes model., optimizer., scheduler.")
            }
        }
        let schedulerType = header["scheduler"]
        if schedulerType == nil && !scheduler.isEmpty {
            throw fail("corrupt checkpoint: scheduler entries but no scheduler type in the metadata")
        }
        self.model = model
        self.optimizer = optimizer
        self.scheduler = schedulerType == nil ? nil : scheduler
        self.optimizerType = optimizerType
        self.schedulerType = schedulerType
        self.epoch = epoch
        metadata = header.filter { !Checkpoint.reservedMetadataKeys.contains($0.key) }
    }

    /// Writes the checkpoint atomically (a temporary file, then a rename): an interrupted save
    /// leaves the previous checkpoint intact.
    ///
    /// - Parameter url: the destination; an existing file is replaced.
    /// - Throws: `TandemError.file` when the file cannot be written, or `TandemError.invalidValue`
    ///   when ``metadata`` uses a reserved key or the epoch is negative.
    public func save(to url: URL) throws {
        if let reserved = metadata.keys.first(where: Checkpoint.reservedMetadataKeys.contains) {
            throw TandemError.invalidValue(
                op: "Checkpoint.save", reason: "metadata key \"\(reserved)\" is reserved for the checkpoint itself", location: nil)
        }
        guard epoch >= 0 else {
            throw TandemError.invalidValue(op: "Checkpoint.save", reason: "epoch \(epoch) is negative", location: nil)
        }
        var tensors: [String: NDArray] = [:]
        for (key, value) in model { tensors["model." + key] = value }
        for (key, value) in optimizer { tensors["optimizer." + key] = value }
        for (key, value) in scheduler ?? [:] { tensors["scheduler." + key] = value }
        var header = metadata
        header["tandem.checkpoint"] = Checkpoint.formatVersion
        header["epoch"] = String(epoch)
        header["optimizer"] = optimizerType
        if let schedulerType { header["scheduler"] = schedulerType }
        try writeAtomically(SafeTensors.encode(tensors, metadata: header), to: url)
    }

    /// Loads the saved states into a freshly built model, optimizer and scheduler (the same
    /// architecture, optimizer and scheduler types as when saving), so that training continues
    /// with exactly the numbers an uninterrupted run would have produced.
    ///
    /// All or nothing: if any of the three does not fit (a missing key, a shape, another optimizer
    /// type, a scheduler given or missing), nothing is changed and the error names what differs.
    ///
    /// - Parameters:
    ///   - model: the model to load the weights into.
    ///   - optimizer: an optimizer over `model`'s parameters, of the saved type.
    ///   - scheduler: the scheduler, when the checkpoint has one.
    public func restore(model: Module, optimizer: Optimizer, scheduler: LRScheduler? = nil) throws {
        func fail(_ reason: String) -> TandemError { .invalidValue(op: "Checkpoint.restore", reason: reason, location: nil) }
        guard "\(type(of: optimizer))" == optimizerType else {
            throw fail("the checkpoint holds a \(optimizerType) state but the optimizer is a \(type(of: optimizer))")
        }
        switch (scheduler, schedulerType) {
        case (nil, let saved?):
            throw fail("the checkpoint holds a \(saved) state: pass the scheduler to restore it")
        case (let given?, nil):
            throw fail("the checkpoint has no scheduler state but a \(type(of: given)) was given")
        case (let given?, let saved?) where "\(type(of: given))" != saved:
            throw fail("the checkpoint holds a \(saved) state but the scheduler is a \(type(of: given))")
        default:
            break
        }
        // Each loadStateDict validates before changing anything; snapshots undo the earlier ones
        // when a later one fails, so the three objects never end up from different runs.
        let modelBefore = model.stateDict(), optimizerBefore = optimizer.stateDict()
        try model.loadStateDict(self.model)
        do {
            try optimizer.loadStateDict(self.optimizer)
        } catch {
            try model.loadStateDict(modelBefore)
            throw error
        }
        if let scheduler, let state = self.scheduler {
            do {
                try scheduler.loadStateDict(state)
            } catch {
                try model.loadStateDict(modelBefore)
                try optimizer.loadStateDict(optimizerBefore)
                throw error
            }
        }
    }
}
