import Foundation

/// The largest number of elements one array may hold: its size in bytes must fit in `Int`.
///
/// Every size computed from input (a constructor's shape, a reshape target, a shape rule's
/// output, a file's declared shape) is checked against it with overflow-reporting arithmetic,
/// so a huge or negative size is an error that names the op instead of an overflow trap.
public let maximumElementCount = Int.max / MemoryLayout<Float>.stride

/// The number of elements of a concrete shape, or nil when a dimension is negative or the
/// product overflows ``maximumElementCount``.
///
/// The product of the non-zero dimensions is what is bounded, so that every partial product a
/// kernel or rule computes (a row size, a flattened tail) fits too, even when another
/// dimension is 0.
public func elementCount(of shape: [Int]) -> Int? {
    var product = 1
    var isEmpty = false
    for d in shape {
        if d < 0 { return nil }
        if d == 0 { isEmpty = true; continue }
        let (next, overflow) = product.multipliedReportingOverflow(by: d)
        if overflow || next > maximumElementCount { return nil }
        product = next
    }
    return isEmpty ? 0 : product
}

/// Why `shape` cannot be an array's shape (a negative dimension, or too many elements), or nil
/// when it can; `bytesAvailable` bounds the allocation as well (the machine's memory).
public func invalidShapeReason(_ shape: [Int], bytesAvailable: UInt64? = nil) -> String? {
    if let d = shape.first(where: { $0 < 0 }) {
        return "negative dimension \(d) in shape \(formatShape(shape))"
    }
    guard let count = elementCount(of: shape) else {
        return "shape \(formatShape(shape)) holds more elements than can be addressed (at most \(maximumElementCount))"
    }
    if let bytesAvailable, UInt64(count) * UInt64(MemoryLayout<Float>.stride) > bytesAvailable {
        return "shape \(formatShape(shape)) needs \(count * MemoryLayout<Float>.stride) bytes, "
            + "more than this machine's memory (\(bytesAvailable) bytes)"
    }
    return nil
}
