import Foundation

/// A reference-counted, 64-byte-aligned buffer of `Float`s: the memory behind one or more
/// `NDArray` views. Every allocation and release is counted by `MemoryStats`.
public final class Storage {
    /// The number of floats the buffer holds.
    public let capacity: Int
    /// The first element. Valid for `capacity` elements while the storage is alive.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates uninitialised room for `capacity` floats.
    public init(capacity: Int) {
        precondition(capacity >= 0, "Storage capacity must not be negative (got \(capacity))")
        self.capacity = capacity
        var raw: UnsafeMutableRawPointer?
        // At least one element so that an empty array still has a valid, unique pointer.
        let bytes = Swift.max(capacity, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("Tandem: out of memory allocating \(bytes) bytes")
        }
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(capacity, 1))
        MemoryStats.didAllocate(bytes: capacity * MemoryLayout<Float>.stride)
    }

    /// Allocates `capacity` floats set to `value`.
    public convenience init(capacity: Int, repeating value: Float) {
        self.init(capacity: capacity)
        pointer.initialize(repeating: value, count: capacity)
    }

    deinit {
        MemoryStats.didFree(bytes: capacity * MemoryLayout<Float>.stride)
        free(pointer)
    }
}
