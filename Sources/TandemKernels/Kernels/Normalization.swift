import Foundation

/// Batch and layer normalisation kernels.
///
/// Batch norm works on an `[N, C, S]` view of a contiguous `[N, C, *]` input (S the product of
/// the spatial dims, 1 for `[N, C]`): per channel c, the blocks `x[n, c, 0..<S]` for every n.
/// Sums are accumulated in Double across blocks (each block summed in Float), so statistics over
/// large batches lose no more than a Float rounding per block. Layer norm works on rows of the
/// normalised size.
///
/// NOTE: batch norm is split like PyTorch's own kernels (`batch_norm_stats`, `batch_norm_elemt`,
/// `batch_norm_backward_reduce`): statistics, the affine map and the backward reductions are
/// separate primitives, so eval mode (running statistics) and training mode (batch statistics,
/// differentiated through) are the same normalising op fed different means and variances, and
/// each kernel is one or two passes over memory.
enum Normalization {
    /// The [N, C, S] split of a shape with channels in dim 1.
    static func split(_ shape: [Int]) -> (n: Int, c: Int, s: Int) {
        (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
    }

    /// Calls `body(channel)` for every channel, in parallel when the input is large.
    @inline(__always)
    private static func forEachChannel(_ n: Int, _ c: Int, _ s: Int, _ body: (Int) -> Void) {
        Parallel.chunks(c, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, n * s))) { channels in
            for channel in channels { body(channel) }
        }
    }

    /// The sum over channel `channel` of f(x) for every element x, block by block.
    @inline(__always)
    private static func channelSum(
        _ p: UnsafePointer<Float>, _ n: Int, _ c: Int, _ s: Int, _ channel: Int, _ f: (Float) -> Float
    ) -> Double {
        var total: Double = 0
        for b in 0..<n {
            let block = p + (b * c + channel) * s
            var partial: Float = 0
            for i in 0..<s { partial += f(block[i]) }
            total += Double(partial)
        }
        return total
    }

    /// out = [mean; biased variance; unbiased variance], each [C] (out holds 3 * C floats).
    static func statistics(_ x: NDArray, into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous()
        let (n, c, s) = split(x.shape)
        let count = n * s
        let p = UnsafePointer(x.storage.pointer + x.offset)
        withExtendedLifetime(x) {
            forEachChannel(n, c, s) { channel in
                let mean = Float(channelSum(p, n, c, s, channel) { $0 } / Double(count))
                let squares = channelSum(p, n, c, s, channel) { ($0 - mean) * ($0 - mean) }
                out[channel] = mean
                out[c + channel] = Float(squares / Double(count))
                out[2 * c + channel] = Float(squares / Double(count - 1))
            }
        }
    }

    /// dx = g_mean / M + (2 g_var / M + 2 g_unbiased / (M - 1)) (x - mean), M = N * S: the
    /// gradient of `statistics` (`stats` its output, `g` the gradient of it).
    static func statisticsBackward(_ g: NDArray, _ x: NDArray, _ stats: NDArray, into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), g = g.scalars, stats = stats.scalars
        let (n, c, s) = split(x.shape)
        let m = Float(n * s)
        let p = x.storage.pointer + x.offset
        withExtendedLifetime(x) {
            forEachChannel(n, c, s) { channel in
                let k = 2 * g[c + channel] / m + (m > 1 ? 2 * g[2 * c + channel] / (m - 1) : 0)
                let shift = g[channel] / m - k * stats[channel]
                for b in 0..<n {
                    let offset = (b * c + channel) * s
                    for i in 0..<s { out[offset + i] = k * p[offset + i] + shift }
                }
            }
        }
    }

    /// y = x * scale[c] + shift[c] with scale = weight / sqrt(variance + eps) and shift = bias -
    /// mean * scale (PyTorch's `batch_norm_cpu_transform_input`); weight 1 and bias 0 when absent.
    static func normalize(
        _ x: NDArray, mean: NDArray, variance: NDArray, weight: NDArray?, bias: NDArray?, eps: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        let x = x.contiguous()
        let (n, c, s) = split(x.shape)
        let mean = mean.scalars, variance = variance.scalars
        let weight = weight?.scalars, bias = bias?.scalars
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        for k in 0..<c {
            scale[k] = (weight?[k] ?? 1) / (variance[k] + eps).squareRoot()
            shift[k] = (bias?[k] ?? 0) - mean[k] * scale[k]
        }
        scaleAndShift(x, scale, shift, into: out)
    }

    /// [Σ g; Σ g (x - mean) / sqrt(variance + eps)] per channel (out holds 2 * C floats).
    static func backwardReduce(
        _ g: NDArray, _ x: NDArray, mean: NDArray, variance: NDArray, eps: Float, into out: UnsafeMutablePointer<Float>
    ) {
        let x = x.contiguous(), g = g.contiguous()
        let (n, c, s) = split(x.shape)
        let mean = mean.scalars, variance = variance.scalars
        let px = x.storage.pointer + x.offset, pg = g.storage.pointer + g.offset
        withExtendedLifetime((x, g)) {
            forEachChannel(n, c, s) { channel in
                let mu = mean[channel]
                var sumG: Double = 0, sumGX: Double = 0
                for b in 0..<n {
                    let offset = (b * c + channel) * s
                    var partialG: Float = 0, partialGX: Float = 0
                    for i in 0..<s {
                        partialG += pg[offset + i]
                        partialGX += pg[offset + i] * (px[offset + i] - mu)
                    }
                    sumG += Double(partialG)
                    sumGX += Double(partialGX)
                }
                out[channel] = Float(sumG)
                out[c + channel] = Float(sumGX / Double((variance[channel] + eps).squareRoot()))
            }
        }
    }

    /// out = g * scale[c].
    static func scaleChannels(_ g: NDArray, scale: NDArray, into out: UnsafeMutablePointer<Float>) {
        let scale = scale.scalars
        scaleAndShift(g, scale, [Float](repeating: 0, count: scale.count), into: out)
    }

    private static func scaleAndShift(_ x: NDArray, _ scale: [Float], _ shift: [Float], into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous()
        let (n, c, s) = split(x.shape)
        let p = x.storage.pointer + x.offset
        withExtendedLifetime(x) {
            if s == 1 {
                for b in 0..<n {
                    for k in 0..<c { out[b * c + k] = p[b * c + k] * scale[k] + shift[k] }
                }
                return
            }
            Parallel.chunks(n * c, grain: 1, threshold: Swift.max(1, Parallel.threshold / s)) { blocks in
                for block in blocks {
                    let k = block % c, offset = block * s
                    let a = scale[k], b = shift[k]
                    for i in 0..<s { out[offset + i] = p[offset + i] * a + b }
                }
            }
        }
    }

    // MARK: Layer norm

    /// Each row of `size` elements normalised by its own mean and biased variance, then * weight
    /// + bias (elementwise over the row) when given.
    static func layerNorm(
        _ x: NDArray, rowSize d: Int, weight: NDArray?, bias: NDArray?, eps: Float, into out: UnsafeMutablePointer<Float>
    ) {
        let x = x.contiguous()
        let rows = d == 0 ? 0 : x.count / d
        let p = x.storage.pointer + x.offset
        let weight = weight?.scalars, bias = bias?.scalars
        withExtendedLifetime(x) {
            Parallel.chunks(rows, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, d))) { range in
                for r in range {
                    let row = p + r * d, dst = out + r * d
                    let (mean, rstd) = rowStatistics(row, d, eps)
                    for i in 0..<d {
                        let normalized = (row[i] - mean) * rstd
                        dst[i] = normalized * (weight?[i] ?? 1) + (bias?[i] ?? 0)
                    }
                }
            }
        }
    }

    /// dx = rstd (gy - mean(gy) - xhat mean(gy xhat)) per row, gy = g * weight.
    static func layerNormBackward(
        _ g: NDArray, _ x: NDArray, rowSize d: Int, weight: NDArray?, eps: Float, into out: UnsafeMutablePointer<Float>
    ) {
        let x = x.contiguous(), g = g.contiguous()
        let rows = d == 0 ? 0 : x.count / d
        let px = x.storage.pointer + x.offset, pg = g.storage.pointer + g.offset
        let weight = weight?.scalars
        withExtendedLifetime((x, g)) {
            Parallel.chunks(rows, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, d))) { range in
                for r in range {
                    let row = px + r * d, grad = pg + r * d, dst = out + r * d
                    let (mean, rstd) = rowStatistics(row, d, eps)
                    var sumGY: Double = 0, sumGYX: Double = 0
                    for i in 0..<d {
                        let gy = grad[i] * (weight?[i] ?? 1)
                        sumGY += Double(gy)
                        sumGYX += Double(gy * (row[i] - mean) * rstd)
                    }
                    let a = Float(sumGY / Double(d)), b = Float(sumGYX / Double(d))
                    for i in 0..<d {
                        let gy = grad[i] * (weight?[i] ?? 1)
                        dst[i] = rstd * (gy - a - (row[i] - mean) * rstd * b)
                    }
                }
            }
        }
    }

    /// The mean and 1 / sqrt(biased variance + eps) of `d` floats (two passes, Double sums).
    @inline(__always)
    private static func rowStatistics(_ row: UnsafePointer<Float>, _ d: Int, _ eps: Float) -> (Float, Float) {
        var total: Double = 0
        for i in 0..<d { total += Double(row[i]) }
        let mean = Float(total / Double(d))
        var squares: Double = 0
        for i in 0..<d { squares += Double((row[i] - mean) * (row[i] - mean)) }
        return (mean, 1 / (Float(squares / Double(d)) + eps).squareRoot())
    }
}
