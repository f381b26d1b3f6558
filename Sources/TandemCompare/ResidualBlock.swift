/// torchvision's `BasicBlock` keeping its channel count, as an eager module: `conv1` (3x3,
/// padding 1, no bias), `bn1`, ReLU, `conv2`, `bn2`, plus the block's input, ReLU. Its state-dict
/// keys are PyTorch's (`conv1.weight`, `bn1.running_mean`, ...); `ModelSpec.resnet`'s eager
/// module path is built from it.
final class ResidualBlock: TandemEager.Module {
    let conv1: TandemEager.Conv2d
    let bn1: TandemEager.BatchNorm2d
    let conv2: TandemEager.Conv2d
    let bn2: TandemEager.BatchNorm2d

    /// A block of `channels` input and output channels.
    init(channels: Int) {
        conv1 = TandemEager.Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false)
        bn1 = TandemEager.BatchNorm2d(channels)
        conv2 = TandemEager.Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false)
        bn2 = TandemEager.BatchNorm2d(channels)
    }

    func forward(_ input: Tensor) -> Tensor {
        let y = bn2(conv2(bn1(conv1(input)).relu()))
        return (y + input).relu()
    }
}

/// `nn.AdaptiveAvgPool2d(1)` followed by `nn.Flatten()`: the mean of each channel, `[N, C]`.
final class GlobalAvgPool2d: TandemEager.Module {
    func forward(_ input: Tensor) -> Tensor { input.mean(dim: 3).mean(dim: 2) }
}
