/// Pooling over square windows: max pooling without padding (PyTorch's `max_pool2d` defaults)
/// and average pooling with zero padding counted in the mean (`avg_pool2d`'s
/// `count_include_pad=True`; with padding at most half the kernel, every window holds exactly
/// k * k positions of the padded input, so the divisor is always k * k).
enum Pooling {
    /// The running maximum of a window scan: `value` replaces `best` when larger or NaN (the
    /// first NaN then stays, as no later value is larger than NaN).
    @inline(__always)
    static func pick(_ best: Float, _ value: Float) -> Float { value > best || value.isNaN ? value : best }

    /// y[n, c, oh, ow] = max of the window; NaN propagates. The 2x2 stride-2 window (the common
    /// one) has its own loop: four loads and three picks per output, no inner loops.
    static func maxForward(_ x: NDArray, kernel k: Int, stride s: Int, outShape: [Int], into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous()
        let p = x.storage.pointer + x.offset
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (outShape[2], outShape[3])
        let planes = x.shape[0] * x.shape[1]
        withExtendedLifetime(x) {
            Parallel.chunks(planes, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, h * w))) { range in
                for plane in range {
                    let src = p + plane * h * w, dst = out + plane * oh * ow
                    if k == 2 && s == 2 {
                        for i in 0..<oh {
                            let top = src + 2 * i * w, bottom = top + w, line = dst + i * ow
                            for j in 0..<ow {
                                line[j] = pick(pick(pick(top[2 * j], top[2 * j + 1]), bottom[2 * j]), bottom[2 * j + 1])
                            }
                        }
                        continue
                    }
                    for i in 0..<oh {
                        for j in 0..<ow {
                            var best = -Float.infinity
                            for di in 0..<k {
                                let row = src + (i * s + di) * w + j * s
                                for dj in 0..<k { best = pick(best, row[dj]) }
                            }
                            dst[i * ow + j] = best
                        }
                    }
                }
            }
        }
    }

    /// dx: each window's gradient added at the window's first maximum.
    ///
    /// When windows do not overlap (kernel = stride, the usual case) every input position has at
    /// most one window, so dx is written in one gather pass, window by window (the gradient at the
    /// maximum, zeros elsewhere), with no zero-fill followed by a scatter; overlapping windows
    /// scatter-add.
    static func maxBackward(_ gy: NDArray, _ x: NDArray, kernel k: Int, stride s: Int, into dx: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), gy = gy.contiguous()
        let p = x.storage.pointer + x.offset, pg = gy.storage.pointer + gy.offset
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (gy.shape[2], gy.shape[3])
        let planes = x.shape[0] * x.shape[1]
        withExtendedLifetime(x) { withExtendedLifetime(gy) {
            Parallel.chunks(planes, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, h * w))) { range in
                for plane in range {
                    let src = p + plane * h * w, grad = pg + plane * oh * ow, dst = dx + plane * h * w
                    if k == s {
                        gatherPlane(src, grad, dst, k: k, h: h, w: w, oh: oh, ow: ow)
                    } else {
                        scatterPlane(src, grad, dst, k: k, s: s, h: h, w: w, oh: oh, ow: ow)
                    }
                }
            }
        } }
    }

    /// One plane of `maxBackward` for non-overlapping windows (kernel = stride).
    @inline(__always)
    private static func gatherPlane(
        _ src: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        k: Int, h: Int, w: Int, oh: Int, ow: Int
    ) {
        for i in 0..<oh {
            let top = i * k * w
            if k == 2 {
                let a = src + top, b = a + w, da = dst + top, db = da + w
                for j in 0..<ow {
                    let c = 2 * j
                    // The first maximum in scan order a0, a1, b0, b1 (same picks as the forward pass).
                    var best = a[c], at = 0
                    if a[c + 1] > best || (a[c + 1].isNaN && !best.isNaN) { best = a[c + 1]; at = 1 }
                    if b[c] > best || (b[c].isNaN && !best.isNaN) { best = b[c]; at = 2 }
                    if b[c + 1] > best || (b[c + 1].isNaN && !best.isNaN) { at = 3 }
                    let g = grad[i * ow + j]
                    da[c] = at == 0 ? g : 0
                    da[c + 1] = at == 1 ? g : 0
                    db[c] = at == 2 ? g : 0
                    db[c + 1] = at == 3 ? g : 0
                }
            } else {
                for j in 0..<ow {
                    var best = -Float.infinity, at = top + j * k
                    for di in 0..<k {
                        for dj in 0..<k {
                            let index = top + di * w + j * k + dj
                            if src[index] > best || (src[index].isNaN && !best.isNaN) {
                                best = src[index]
                                at = index
                            }
                            dst[index] = 0
                        }
                    }
                    dst[at] = grad[i * ow + j]
                }
            }
            // Columns right of the last window.
            if ow * k < w { for di in 0..<k { (dst + top + di * w + ow * k).initialize(repeating: 0, count: w - ow * k) } }
        }
        // Rows below the last window.
        if oh * k < h { (dst + oh * k * w).initialize(repeating: 0, count: (h - oh * k) * w) }
    }

    /// One plane of `maxBackward` for overlapping windows: zero-fill, then scatter-add.
    @inline(__always)
    private static func scatterPlane(
        _ src: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        k: Int, s: Int, h: Int, w: Int, oh: Int, ow: Int
    ) {
        dst.initialize(repeating: 0, count: h * w)
        for i in 0..<oh {
            for j in 0..<ow {
                var best = -Float.infinity, at = (i * s) * w + j * s
                for di in 0..<k {
                    for dj in 0..<k {
                        let index = (i * s + di) * w + j * s + dj
                        if src[index] > best || (src[index].isNaN && !best.isNaN) {
                            best = src[index]
                            at = index
                        }
                    }
                }
                dst[at] += grad[i * ow + j]
            }
        }
    }

    /// y[n, c, oh, ow] = the mean of the window over the zero-padded input.
    static func avgForward(
        _ x: NDArray, kernel k: Int, stride s: Int, padding p: Int, outShape: [Int], into out: UnsafeMutablePointer<Float>
    ) {
        let x = x.contiguous()
        let src0 = x.storage.pointer + x.offset
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (outShape[2], outShape[3])
        let planes = x.shape[0] * x.shape[1]
        let scale = 1 / Float(k * k)
        withExtendedLifetime(x) {
            Parallel.chunks(planes, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, h * w))) { range in
                for plane in range {
                    let src = src0 + plane * h * w, dst = out + plane * oh * ow
                    for i in 0..<oh {
                        let rows = Swift.max(0, i * s - p)..<Swift.min(h, i * s - p + k)
                        for j in 0..<ow {
                            let columns = Swift.max(0, j * s - p)..<Swift.min(w, j * s - p + k)
                            var total: Float = 0
                            for r in rows { for c in columns { total += src[r * w + c] } }
                            dst[i * ow + j] = total * scale
                        }
                    }
                }
            }
        }
    }

    /// dx: each window's gradient / (k * k) added to every input position of the window.
    static func avgBackward(
        _ gy: NDArray, inputShape: [Int], kernel k: Int, stride s: Int, padding p: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        let gy = gy.contiguous()
        let g0 = gy.storage.pointer + gy.offset
        let (h, w) = (inputShape[2], inputShape[3])
        let (oh, ow) = (gy.shape[2], gy.shape[3])
        let planes = inputShape[0] * inputShape[1]
        let scale = 1 / Float(k * k)
        dx.initialize(repeating: 0, count: planes * h * w)
        withExtendedLifetime(gy) {
            Parallel.chunks(planes, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, h * w))) { range in
                for plane in range {
                    let grad = g0 + plane * oh * ow, dst = dx + plane * h * w
                    for i in 0..<oh {
                        let rows = Swift.max(0, i * s - p)..<Swift.min(h, i * s - p + k)
                        for j in 0..<ow {
                            let share = grad[i * ow + j] * scale
                            for r in rows { for c in Swift.max(0, j * s - p)..<Swift.min(w, j * s - p + k) { dst[r * w + c] += share } }
                        }
                    }
                }
            }
        }
    }
}
