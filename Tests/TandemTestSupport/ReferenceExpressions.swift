import TandemKernels

/// The expression for each recorded PyTorch case (`PyTorchReference.ops`), written once,
/// generically, so the eager `Tensor` tests and the graph `Node` tests run the very same code:
/// the habit "a numerical check is written once and run against both frontends".
public enum ReferenceExpressions {
    /// Builds the expression recorded as `name` on `x` (eager: computes; graph: adds nodes), or
    /// nil when no expression has that name.
    public static func make<T: TensorExpression>(_ name: String, _ x: [T]) -> T? {
        switch name {
        case "add", "add_broadcast_row", "add_broadcast_both": return x[0] + x[1]
        case "sub_broadcast": return x[0] - x[1]
        case "mul_broadcast", "mul_same": return x[0] * x[1]
        case "div_broadcast": return x[0] / x[1]
        case "neg": return -x[0]
        case "add_scalar": return x[0] + 2.5
        case "scalar_add": return 2.5 + x[0]
        case "sub_scalar": return x[0] - 1.5
        case "scalar_sub": return 1.5 - x[0]
        case "mul_scalar": return x[0] * 3
        case "scalar_mul": return 3 * x[0]
        case "div_scalar": return x[0] / 4
        case "scalar_div": return 2 / x[0]
        case "matmul", "matmul_batched": return x[0].matmul(x[1])
        case "matmul_batched_matrix": return matmul(x[0], x[1])
        case "relu": return x[0].relu()
        case "sigmoid": return x[0].sigmoid()
        case "tanh": return x[0].tanh()
        case "exp": return x[0].exp()
        case "log": return x[0].log()
        case "pow3": return x[0].pow(3)
        case "pow_half": return x[0].pow(0.5)
        case "sqrt": return x[0].sqrt()
        case "sum": return x[0].sum()
        case "sum_dim1": return x[0].sum(dim: 1)
        case "sum_dim0_keepdim": return x[0].sum(dim: 0, keepDim: true)
        case "mean": return x[0].mean()
        case "mean_dim1_keepdim": return x[0].mean(dim: 1, keepDim: true)
        case "mean_dim_neg1": return x[0].mean(dim: -1)
        case "max": return x[0].max()
        case "max_dim1": return x[0].max(dim: 1)
        case "max_dim0_keepdim": return x[0].max(dim: 0, keepDim: true)
        case "argmax_dim1": return x[0].argmax(dim: 1)
        case "reshape": return x[0].reshape([3, -1])
        case "transpose": return x[0].transpose(0, 1)
        case "transpose_neg": return x[0].transpose(-1, -2)
        case "flatten1": return x[0].flatten(startDim: 1)
        case "softmax_dim1": return x[0].softmax(dim: 1)
        case "softmax_dim0": return x[0].softmax(dim: 0)
        case "log_softmax_dim1": return x[0].logSoftmax(dim: 1)
        case "conv2d_bias": return conv2d(x[0], weight: x[1], bias: x[2])
        case "conv2d_stride2_pad1": return conv2d(x[0], weight: x[1], bias: x[2], stride: 2, padding: 1)
        case "conv2d_nobias": return conv2d(x[0], weight: x[1])
        case "max_pool2d": return maxPool2d(x[0], kernelSize: 2)
        case "max_pool2d_k3s2": return maxPool2d(x[0], kernelSize: 3, stride: 2)
        case "cross_entropy": return crossEntropy(x[0], x[1])
        case "mse_loss": return mseLoss(x[0], x[1])
        case "linear": return linear(x[0], weight: x[1], bias: x[2])
        case "narrow": return x[0].narrow(dim: 1, start: 1, length: 3)
        case "narrow_negative_start": return x[0].narrow(dim: 0, start: -3, length: 2)
        case "permute": return x[0].permute([2, 0, 1])
        case "unsqueeze": return x[0].unsqueeze(dim: 1)
        case "unsqueeze_last": return x[0].unsqueeze(dim: -1)
        case "squeeze": return x[0].squeeze(dim: 1)
        case "squeeze_size_not_one": return x[0].squeeze(dim: 0)
        case "index_select_dim0": return x[0].indexSelect(dim: 0, index: x[1])
        case "index_select_dim1": return x[0].indexSelect(dim: 1, index: x[1])
        case "abs": return x[0].abs()
        case "clamp": return x[0].clamp(min: -0.5, max: 0.5)
        case "clamp_min": return x[0].clamp(min: -0.2)
        case "clamp_max": return x[0].clamp(max: 0.3)
        case "leaky_relu": return x[0].leakyRelu()
        case "leaky_relu_slope": return x[0].leakyRelu(negativeSlope: 0.2)
        case "gelu": return x[0].gelu()
        case "less": return x[0].less(x[1])
        case "greater": return x[0].greater(x[1])
        case "equal": return x[0].equal(x[1])
        case "cat_dim0": return cat(x, dim: 0)
        case "cat_dim1_three": return cat(x, dim: 1)
        case "cat_negative_dim": return cat(x, dim: -1)
        case "stack_dim0": return stack(x, dim: 0)
        case "stack_last": return stack(x, dim: 2)
        case "stack_negative_dim": return stack(x, dim: -1)
        case "embedding": return embedding(x[0], weight: x[1])
        case "avg_pool2d": return avgPool2d(x[0], kernelSize: 2)
        case "avg_pool2d_k3s2p1": return avgPool2d(x[0], kernelSize: 3, stride: 2, padding: 1)
        case "batch_norm_train_2d", "batch_norm_train_4d":
            return batchNorm(x[0], runningMean: nil, runningVar: nil, weight: x[1], bias: x[2], training: true)
        case "batch_norm_train_no_affine":
            return batchNorm(x[0], runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
        case "batch_norm_eval_4d":
            return batchNorm(x[0], runningMean: x[1], runningVar: x[2], weight: x[3], bias: x[4], training: false)
        case "layer_norm": return layerNorm(x[0], normalizedShape: [4], weight: x[1], bias: x[2])
        case "layer_norm_two_dims_no_affine": return layerNorm(x[0], normalizedShape: [3, 4], weight: nil, bias: nil)
        case "nll_loss": return nllLoss(x[0], x[1])
        case "nll_loss_of_log_softmax": return nllLoss(x[0].logSoftmax(dim: 1), x[1])
        case "bce_with_logits": return binaryCrossEntropyWithLogits(x[0], x[1])
        case "composite":
            let (a, b) = (x[0], x[1])
            return ((a * b).sum(dim: 1) - a.mean()).tanh() * a.exp().sum(dim: 1)
        default: return nil
        }
    }

    /// The training-mode batch norm of a running-statistics case (`PyTorchReference.batchNormRuns`)
    /// on one batch: normalises with the batch statistics and moves the running ones, which each
    /// frontend then inspects its own way (eager: the tensors; graph: the variables after running
    /// `Graph.updateOps`).
    public static func batchNormTraining<T: TensorExpression>(
        _ run: PyTorchReference.RunningStatisticsCase, _ x: T, runningMean: T, runningVar: T, weight: T, bias: T
    ) -> T {
        batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias, training: true, momentum: run.momentum)
    }

    /// The eval-mode batch norm of a running-statistics case.
    public static func batchNormEval<T: TensorExpression>(_ x: T, runningMean: T, runningVar: T, weight: T, bias: T) -> T {
        batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias, training: false)
    }
}
