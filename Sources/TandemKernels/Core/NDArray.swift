import Foundation

/// An n-dimensional array of `Float` values: the one value type of Tandem's kernel core.
///
/// Row-major, described by a shape, strides (in elements) and an offset into a shared,
/// reference-counted `Storage`. Copies share storage until one of them is mutated
/// (copy-on-write), and `reshaped(_:)`, `transposed(_:_:)` and `broadcast(to:)` return views
/// without copying where the layout allows it.
///
/// ```swift
/// let a = NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// a.transposed(0, 1).scalars   // [1, 4, 2, 5, 3, 6]
/// ```
public struct NDArray: Equatable, CustomStringConvertible {
    /// The buffer holding the elements (possibly shared with other views).
    public private(set) var storage: Storage
    /// The size of each dimension.
    public private(set) var shape: [Int]
    /// Explicit strides, or nil for a dense row-major layout (the common case, kept implicit so
    /// that creating an array allocates no strides array: eager per-op overhead counts).
    private var explicitStrides: [Int]?
    /// The distance, in elements, between neighbours along each dimension (0 for broadcast dims).
    public var strides: [Int] { explicitStrides ?? contiguousStrides(shape) }
    /// The index in `storage` of the first element.
    public private(set) var offset: Int
    /// The number of elements (the product of `shape`; 1 for rank 0).
    public let count: Int

    // MARK: Creating arrays

    /// Creates an array from row-major values. `scalars.count` must equal the product of `shape`.
    ///
    /// A negative or huge dimension, or a count that differs from the shape's, is reported
    /// through `ErrorScope` (thrown by an enclosing `checked`, fatal with Tandem's message
    /// outside one); the result is then an empty placeholder.
    public init(shape: [Int], scalars: [Float], file: StaticString = #fileID, line: UInt = #line) {
        guard let count = NDArray.checkedCount(shape, "NDArray(shape:scalars:)", file, line) else {
            self.init(storage: Storage(capacity: 0), shape: [0])
            return
        }
        guard count == scalars.count else {
            ErrorScope.report(.invalidValue(
                op: "NDArray(shape:scalars:)",
                reason: "shape \(formatShape(shape)) holds \(count) elements but \(scalars.count) scalars were given",
                location: SourceLocation(file, line)))
            self.init(storage: Storage(capacity: 0), shape: [0])
            return
        }
        let storage = Storage(capacity: count)
        scalars.withUnsafeBufferPointer { source in
            if count > 0 { storage.pointer.initialize(from: source.baseAddress!, count: count) }
        }
        self.init(storage: storage, shape: shape)
    }

    /// Creates an array of zeros.
    public init(zeros shape: [Int], file: StaticString = #fileID, line: UInt = #line) {
        self.init(repeating: 0, shape: shape, file: file, line: line)
    }

    /// Creates an array of ones.
    public init(ones shape: [Int], file: StaticString = #fileID, line: UInt = #line) {
        self.init(repeating: 1, shape: shape, file: file, line: line)
    }

    /// Creates a rank-0 array holding one value.
    public init(_ scalar: Float) { self.init(repeating: scalar, shape: []) }

    /// Creates an array with every element set to `value`.
    ///
    /// A negative or huge dimension is reported through `ErrorScope` (see `init(shape:scalars:)`).
    public init(repeating value: Float, shape: [Int], file: StaticString = #fileID, line: UInt = #line) {
        guard let count = NDArray.checkedCount(shape, "NDArray(repeating:shape:)", file, line) else {
            self.init(storage: Storage(capacity: 0), shape: [0])
            return
        }
        self.init(storage: Storage(capacity: count, repeating: value), shape: shape)
    }

    /// Creates an uninitialised contiguous array; every element must be written before it is read.
    public init(uninitializedShape shape: [Int], file: StaticString = #fileID, line: UInt = #line) {
        guard let count = NDArray.checkedCount(shape, "NDArray(uninitializedShape:)", file, line) else {
            self.init(storage: Storage(capacity: 0), shape: [0])
            return
        }
        self.init(storage: Storage(capacity: count), shape: shape)
    }

    /// The element count of a shape asked for by a caller, or nil after reporting why it cannot
    /// be allocated (a negative dimension, an overflowing count, more bytes than the machine has).
    static func checkedCount(_ shape: [Int], _ op: String, _ file: StaticString, _ line: UInt) -> Int? {
        // Asking the machine's memory costs a system call: only for arrays of a gigabyte or more.
        if let count = elementCount(of: shape), count < 1 << 28 { return count }
        if let reason = invalidShapeReason(shape, bytesAvailable: ProcessInfo.processInfo.physicalMemory) {
            ErrorScope.report(.invalidValue(op: op, reason: reason, location: SourceLocation(file, line)))
            return nil
        }
        return elementCount(of: shape)
    }

    /// Creates a contiguous array over existing storage (which must hold at least `count` floats).
    public init(storage: Storage, shape: [Int]) {
        self.storage = storage
        self.shape = shape
        self.explicitStrides = nil
        self.offset = 0
        var count = 1
        for d in shape { count &*= d }
        self.count = count
    }

    /// Creates a view with explicit strides and offset over existing storage.
    public init(storage: Storage, shape: [Int], strides: [Int], offset: Int) {
        precondition(shape.count == strides.count, "NDArray: \(shape.count) dims but \(strides.count) strides")
        self.storage = storage
        self.shape = shape
        self.explicitStrides = strides
        self.offset = offset
        self.count = shape.reduce(1, *)
    }

    // MARK: Reading

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The elements in row-major order, as a new array.
    public var scalars: [Float] {
        if isContiguous {
            return Array(UnsafeBufferPointer(start: storage.pointer + offset, count: count))
        }
        return contiguous().scalars
    }

    /// The single value of a one-element array.
    public var scalar: Float {
        precondition(count == 1, "NDArray.scalar: array of shape \(shape) holds \(count) elements, not 1")
        return storage.pointer[offset]
    }

    /// Whether the elements are laid out densely in row-major order from `offset`.
    public var isContiguous: Bool {
        guard let strides = explicitStrides else { return true }
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The element at a multi-dimensional index.
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[elementOffset(index)] }
        set {
            makeUniqueAndContiguous()
            storage.pointer[elementOffset(index)] = newValue
        }
    }

    private func elementOffset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "NDArray: index \(index) does not match shape \(shape)")
        var position = offset
        for axis in 0..<index.count {
            precondition(
                index[axis] >= 0 && index[axis] < shape[axis], "NDArray: index \(index) out of range for shape \(shape)")
            position += index[axis] * strides[axis]
        }
        return position
    }

    // MARK: Layout

    /// A contiguous array with the same values (`self` when already contiguous).
    public func contiguous() -> NDArray {
        if isContiguous { return self }
        let result = NDArray(uninitializedShape: shape)
        copyStrided(from: self, into: result.storage.pointer)
        return result
    }

    /// Calls `body` with the elements in row-major order (copying first only if not contiguous).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let dense = contiguous()
        return try withExtendedLifetime(dense.storage) {
            try body(UnsafeBufferPointer(start: dense.storage.pointer + dense.offset, count: dense.count))
        }
    }

    /// Calls `body` with mutable access to the elements in row-major order, first making the
    /// storage unique and contiguous (copy-on-write).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUniqueAndContiguous()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer + offset, count: count))
    }

    /// Ensures this array owns its storage exclusively and is contiguous from offset 0.
    public mutating func makeUniqueAndContiguous() {
        if isKnownUniquelyReferenced(&storage) && isContiguous && offset == 0 && storage.capacity == count {
            return
        }
        let copy = NDArray(uninitializedShape: shape)
        copyStrided(from: self, into: copy.storage.pointer)
        self = copy
    }

    /// Whether this array can be written in place without disturbing another view.
    public mutating func isUniquelyOwned() -> Bool { isKnownUniquelyReferenced(&storage) }

    /// A view with a new shape holding the same elements (one dimension may be -1: inferred).
    /// Copies only when the array is not contiguous. The new shape must hold `count` elements.
    public func reshaped(_ newShape: [Int]) -> NDArray {
        guard let resolved = resolveReshape(newShape, count: count) else {
            preconditionFailure("NDArray.reshaped: cannot reshape \(formatShape(shape)) (\(count) elements) to \(formatShape(newShape))")
        }
        let dense = contiguous()
        if dense.offset == 0 { return NDArray(storage: dense.storage, shape: resolved) }
        return NDArray(storage: dense.storage, shape: resolved, strides: contiguousStrides(resolved), offset: dense.offset)
    }

    /// A view with two dimensions swapped (no copy); negative dims count from the end.
    public func transposed(_ dim0: Int, _ dim1: Int) -> NDArray {
        let a = dim0 < 0 ? dim0 + rank : dim0, b = dim1 < 0 ? dim1 + rank : dim1
        precondition(a >= 0 && a < rank && b >= 0 && b < rank, "NDArray.transposed: dims (\(dim0), \(dim1)) out of range for shape \(shape)")
        var shape = self.shape, strides = self.strides
        shape.swapAt(a, b)
        strides.swapAt(a, b)
        return NDArray(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// A view that repeats this array along broadcast dimensions (stride 0, no copy).
    /// `shape` must be broadcast-compatible with `self.shape` (NumPy rules).
    public func broadcast(to target: [Int]) -> NDArray {
        precondition(target.count >= rank, "NDArray.broadcast: cannot broadcast \(shape) to \(target)")
        let pad = target.count - rank
        var newStrides = [Int](repeating: 0, count: target.count)
        for axis in 0..<rank {
            if shape[axis] == target[axis + pad] {
                newStrides[axis + pad] = shape[axis] == 1 ? 0 : strides[axis]
            } else {
                precondition(shape[axis] == 1, "NDArray.broadcast: cannot broadcast \(shape) to \(target)")
            }
        }
        return NDArray(storage: storage, shape: target, strides: newStrides, offset: offset)
    }

    // MARK: Equatable

    /// Two arrays are equal when they have the same shape and the same values.
    public static func == (lhs: NDArray, rhs: NDArray) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}

/// Row-major strides for a shape.
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = running
        running *= shape[axis]
    }
    return strides
}

/// Resolves a reshape target with at most one -1 against an element count; nil when impossible.
public func resolveReshape(_ target: [Int], count: Int) -> [Int]? {
    let unknown = target.indices.filter { target[$0] == -1 }
    if unknown.count > 1 || target.contains(where: { $0 < -1 }) { return nil }
    guard let known = elementCount(of: target.filter { $0 != -1 }) else { return nil }
    guard let hole = unknown.first else { return known == count ? target : nil }
    guard known > 0, count % known == 0 else { return nil }
    var resolved = target
    resolved[hole] = count / known
    return resolved
}

/// Copies a strided array's elements, in row-major order, into a dense buffer.
func copyStrided(from source: NDArray, into destination: UnsafeMutablePointer<Float>) {
    let count = source.count
    if count == 0 { return }
    let base = source.storage.pointer + source.offset
    if source.isContiguous {
        destination.update(from: base, count: count)
        return
    }
    let rank = source.rank
    if rank == 0 {
        destination[0] = base[0]
        return
    }
    // Walk the index space with the innermost dimension as a tight loop.
    let strides = source.strides, shape = source.shape
    let inner = shape[rank - 1], innerStride = strides[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var written = 0
    var position = 0
    while written < count {
        var p = base + position
        if innerStride == 1 {
            (destination + written).update(from: p, count: inner)
        } else {
            for i in 0..<inner {
                destination[written + i] = p.pointee
                p += innerStride
            }
        }
        written += inner
        // Advance the outer index.
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            position += strides[axis]
            if index[axis] < shape[axis] { break }
            position -= strides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
