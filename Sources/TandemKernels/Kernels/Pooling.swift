/// Pooling over square windows: max pooling without padding (PyTorch's `max_pool2d` defaults)
/// and average pooling with zero padding counted in the mean (`avg_pool2d`'s
/// `count_include_pad=True`; with padding at most half the kernel, every window holds exactly
/// k * k positions of the padded input, so the divisor is always k * k).
enum Pooling {
    /// y[n, c, oh, ow] = max of the window; NaN propagates.
    static func maxForward(_ x: NDArray, kernel k: Int, stride s: Int, outShape: [Int], into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous()
        let p = x.storage.pointer + x.offset
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (outShape[2], outShape[3])
        let planes = x.shape[0] * x.shape[1]
        Parallel.chunks(planes, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, h * w))) { range in
            for plane in range {
                let src = p + plane * h * w, dst = out + plane * oh * ow
                for i in 0..<oh {
                    for j in 0..<ow {
                        var best = -Float.infinity
                        for di in 0..<k {
                            let row = src + (i * s + di) * w + j * s
                            for dj in 0..<k where row[dj] > best || row[dj].isNaN { best = row[dj] }
                        }
                        dst[i * ow + j] = best
                    }
                }
            }
        }
    }

    /// dx: each window's gradient added at the window's first maximum.
    static func maxBackward(_ gy: NDArray, _ x: NDArray, kernel k: Int, stride s: Int, into dx: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), gy = gy.contiguous()
        let p = x.storage.pointer + x.offset, pg = gy.storage.pointer + gy.offset
        let (h, w) = (x.shape[2], x.shape[3])
        let (oh, ow) = (gy.shape[2], gy.shape[3])
        let planes = x.shape[0] * x.shape[1]
        dx.initialize(repeating: 0, count: planes * h * w)
        Parallel.chunks(planes, grain: 1, threshold: Swift.max(1, Parallel.threshold / Swift.max(1, h * w))) { range in
            for plane in range {
                let src = p + plane * h * w, grad = pg + plane * oh * ow, dst = dx + plane * h * w
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
