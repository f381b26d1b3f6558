/// The graph optimisation passes a ``Session`` runs once per set of fetches, before the first run.
///
/// Each pass is switchable, and each is checked by a test that the optimised and unoptimised
/// graphs compute the same values. They run on the forward and backward graph together (after
/// `gradients` and `minimize` added their nodes), in this order: arithmetic simplification,
/// constant folding, common-subexpression elimination, fusion, custom-kernel fusion, pruning; then, once the
/// session has split each train op into per-variable updates, update fusion.
public enum GraphOptimizer {
    /// Which passes run.
    public struct Options: Equatable, Sendable {
        /// Rewrites `x * 1`, `x + 0`, `x - 0`, `x / 1`, `mulScalar(1)`, `addScalar(0)`, `-(-x)` to `x`.
        public var arithmeticSimplification: Bool
        /// Evaluates ops whose inputs are all constants once, at plan time (never stateful ops,
        /// variables or placeholders).
        public var constantFolding: Bool
        /// Merges nodes that apply the same op to the same inputs (never stateful ops).
        public var commonSubexpressionElimination: Bool
        /// Fuses matmul + bias + activation into one `linear` kernel and chains of unary
        /// elementwise ops into one `fusedElementwise` pass over memory.
        public var fusion: Bool
        /// Removes nodes that no fetch needs after the other passes (dead-code elimination).
        public var pruning: Bool
        /// Computes a weight's gradient GEMM inside its SGD update (into the weight, or into the
        /// momentum buffer), so the weight gradient is never stored (see `UpdateFusion`).
        public var updateFusion: Bool
        /// Runs custom-kernel nodes that share a fusion key (allreduces) as one call
        /// (see ``CustomKernel/fusionKey``).
        public var customKernelFusion: Bool

        /// Creates options; every pass is on by default.
        ///
        /// - Parameters:
        ///   - arithmeticSimplification: removes `x * 1`, `x + 0` and the like.
        ///   - constantFolding: evaluates constant subgraphs once, and turns a multiply or add by
        ///     a one-element constant into `mulScalar` / `addScalar`.
        ///   - commonSubexpressionElimination: computes a repeated op on the same inputs once.
        ///   - fusion: fuses matmul + bias + activation, and chains of elementwise ops.
        ///   - pruning: removes nodes no fetch needs.
        ///   - updateFusion: computes weight-gradient GEMMs inside their SGD updates.
        ///   - customKernelFusion: runs custom kernels of one fusion key (allreduces) as one call.
        public init(
            arithmeticSimplification: Bool = true, constantFolding: Bool = true,
            commonSubexpressionElimination: Bool = true, fusion: Bool = true, pruning: Bool = true,
            updateFusion: Bool = true, customKernelFusion: Bool = true
        ) {
            self.updateFusion = updateFusion
            self.customKernelFusion = customKernelFusion
            self.arithmeticSimplification = arithmeticSimplification
            self.constantFolding = constantFolding
            self.commonSubexpressionElimination = commonSubexpressionElimination
            self.fusion = fusion
            self.pruning = pruning
        }

        /// Every pass on.
        public static let all = Options()
        /// Every pass off: the graph runs as built (only the subgraph the fetches need).
        public static let none = Options(
            arithmeticSimplification: false, constantFolding: false, commonSubexpressionElimination: false,
            fusion: false, pruning: false, updateFusion: false, customKernelFusion: false)
    }

    /// Runs the enabled passes, then splits train ops into per-variable updates and (when
    /// enabled) fuses weight-gradient GEMMs into them: the program exactly as a session runs it.
    static func prepareForSession(_ program: inout Program, options: Options) {
        optimize(&program, options: options)
        UpdateScheduling.run(&program)
        if options.updateFusion { UpdateFusion.run(&program) }
    }

    /// Runs the enabled graph passes on a program (not the update scheduling and fusion).
    static func optimize(_ program: inout Program, options: Options) {
        if options.arithmeticSimplification { ArithmeticSimplification.run(&program) }
        if options.constantFolding { ConstantFolding.run(&program) }
        if options.commonSubexpressionElimination { CommonSubexpressionElimination.run(&program) }
        if options.fusion { Fusion.run(&program) }
        if options.customKernelFusion { CustomKernelFusion.run(&program) }
        if options.pruning { program.removeUnreachable() }
    }
}
