extension Benchmark {
    /// Batch norm in training, forward and backward, eager, on a ResNet block's activations
    /// ([64, 32, 16, 16]): the core's fused primitives (`batchStatistics` and `batchNorm`, two
    /// passes forward, four backward) against the same math written from generic primitives, as a
    /// framework without them would run it (permute to [C, N*H*W], mean, centre, square, mean,
    /// rsqrt, scale, shift, permute back). Medians of `repetitions`, contenders interleaved.
    func batchNormRows() -> [Row] {
        let (n, c, h, w) = (64, 32, 16, 16)
        let x = Tensor(Initializer.normal([n, c, h, w]), requiresGrad: true)
        let weight = Tensor(Initializer.normal([c]), requiresGrad: true)
        let bias = Tensor(Initializer.normal([c]), requiresGrad: true)
        let upstream = Tensor(Initializer.normal([n, c, h, w]))
        func fused() -> Tensor {
            batchNorm(x, runningMean: nil, runningVar: nil, weight: weight, bias: bias, training: true)
        }
        func composite() -> Tensor {
            let perChannel = x.permute([1, 0, 2, 3]).reshape([c, -1])
            let centred = perChannel - perChannel.mean(dim: 1, keepDim: true)
            let variance = (centred * centred).mean(dim: 1, keepDim: true)
            let normalized = centred * (variance + 1e-5).pow(-0.5)
            let y = normalized * weight.reshape([c, 1]) + bias.reshape([c, 1])
            return y.reshape([c, n, h, w]).permute([1, 0, 2, 3])
        }
        let contenders: [(String, () -> Tensor)] = [
            ("batch norm fwd+bwd [64, 32, 16, 16], eager fused", fused),
            ("batch norm fwd+bwd [64, 32, 16, 16], eager composite", composite),
        ]
        func step(_ forward: () -> Tensor) {
            x.zeroGrad()
            weight.zeroGrad()
            bias.zeroGrad()
            (forward() * upstream).sum().backward()
        }
        for contender in contenders { step(contender.1) }  // warm up
        var samples = [[Double]](repeating: [], count: contenders.count)
        for _ in 0..<repetitions {
            for (i, contender) in contenders.enumerated() {
                let start = Profiler.now()
                for _ in 0..<5 { step(contender.1) }
                samples[i].append(milliseconds(since: start) / 5)
            }
        }
        return contenders.indices.map { i in
            Row(task: contenders[i].0, median: median(samples[i]), minimum: samples[i].min() ?? 0,
                maximum: samples[i].max() ?? 0, unit: "ms", peakBytes: nil)
        }
    }
}
