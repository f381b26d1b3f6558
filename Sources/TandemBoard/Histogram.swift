import TandemProtos

/// A histogram in TensorFlow's default buckets (`tsl/lib/histogram/histogram.cc`), the form
/// TensorBoard's histogram and distribution tabs read.
///
/// The bucket edges grow by a factor 1.1 from 1e-12 to 1e20 on each side of zero, so relative
/// resolution is the same at every scale. Bucket `i` counts values in `[limit[i-1], limit[i])`.
struct Histogram {
    /// The default bucket upper limits: -DBL_MAX, negative edges, 0, positive edges, DBL_MAX.
    static let defaultLimits: [Double] = {
        var positive: [Double] = []
        var v = 1.0e-12
        while v < 1.0e20 {
            positive.append(v)
            v *= 1.1
        }
        positive.append(Double.greatestFiniteMagnitude)
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    /// The smallest and largest value, the count, the sum and the sum of squares.
    let min: Double, max: Double, count: Double, sum: Double, sumOfSquares: Double
    /// Count per default bucket.
    let counts: [Double]

    /// Counts `values` (all finite, at least one).
    init(_ values: [Float]) {
        let limits = Self.defaultLimits
        var counts = [Double](repeating: 0, count: limits.count)
        var low = Double.infinity, high = -Double.infinity, sum = 0.0, squares = 0.0
        for value in values {
            let x = Double(value)
            low = Swift.min(low, x)
            high = Swift.max(high, x)
            sum += x
            squares += x * x
            counts[Self.bucket(of: x, in: limits)] += 1
        }
        (min, max, count, self.sum, sumOfSquares, self.counts) = (low, high, Double(values.count), sum, squares, counts)
    }

    /// The first bucket whose limit is above `x` (a binary search: upper_bound).
    static func bucket(of x: Double, in limits: [Double]) -> Int {
        var low = 0, high = limits.count - 1
        while low < high {
            let mid = (low + high) / 2
            if limits[mid] > x { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The proto, with only the buckets from the first to the last non-empty one (as TensorFlow
    /// writes it: an empty bucket's limit still marks where the next one starts).
    var proto: Tensorboard_HistogramProto {
        var out = Tensorboard_HistogramProto()
        out.min = min
        out.max = max
        out.num = count
        out.sum = sum
        out.sumSquares = sumOfSquares
        let first = counts.firstIndex { $0 > 0 } ?? 0
        let last = counts.lastIndex { $0 > 0 } ?? 0
        out.bucketLimit = Array(Self.defaultLimits[first...last])
        out.bucket = Array(counts[first...last])
        return out
    }
}
