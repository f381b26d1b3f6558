import Foundation

/// A reference-counted buffer of `Float`s: the memory behind one or more
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
        // At least one element so that an empty array still has a valid, unique pointer.
        // malloc, not posix_memalign: it is several times cheaper for the small buffers of eager
        // per-op work, kernels load unaligned SIMD vectors anyway, and large blocks come from
        // mmap, page-aligned.
        let bytes = Swift.max(capacity, 1) * MemoryLayout<Float>.stride
        guard let raw = malloc(bytes) else {
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
