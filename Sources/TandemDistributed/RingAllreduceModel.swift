/// The textbook cost of averaging gradients with a ring allreduce over `N` machines, for
/// planning past one machine (Patarasuk and Yuan, 2009; the model behind Horovod and NCCL).
///
/// A ring allreduce cuts the gradient into `N` chunks and passes them around the ring twice
/// (reduce-scatter, then allgather): every rank sends and receives `2(N-1)/N` times the
/// gradient's bytes, in `2(N-1)` steps that each pay the link's latency:
///
///     time = 2(N-1)/N × bytes / bandwidth + 2(N-1) × latency      (per allreduce call)
///
/// The bandwidth term barely grows with `N` (it tends to 2 × bytes / bandwidth); the latency
/// term grows linearly, and it is paid once per allreduce call, which is why fusing many small
/// gradients into one call (Horovod) matters more as the ring grows, while overlapping calls
/// with backward (DDP) hides whichever term is left behind the computation.
///
/// ```swift
/// let mlp = RingAllreduceModel.seconds(bytes: 2_143_272, ranks: 64, link: .ethernet10G)   // ≈ 6.5 ms
/// ```
public enum RingAllreduceModel {
    /// A network between machines: the one-way latency of a small message and the bandwidth.
    public struct Link: Hashable, Sendable {
        /// A short name for tables.
        public var name: String
        /// Seconds per message (MPI's small-message latency over this network).
        public var latency: Double
        /// Bytes per second in one direction.
        public var bandwidth: Double

        /// Creates a link.
        ///
        /// - Parameters:
        ///   - name: a short name.
        ///   - latency: seconds per message.
        ///   - bandwidth: bytes per second.
        public init(name: String, latency: Double, bandwidth: Double) {
            self.name = name
            self.latency = latency
            self.bandwidth = bandwidth
        }

        /// 10 Gb/s Ethernet with MPI over TCP: 1.25 GB/s, about 25 µs per message.
        public static let ethernet10G = Link(name: "10 GbE (TCP)", latency: 25e-6, bandwidth: 1.25e9)
        /// 25 Gb/s Ethernet with MPI over TCP: 3.1 GB/s, about 15 µs per message.
        public static let ethernet25G = Link(name: "25 GbE (TCP)", latency: 15e-6, bandwidth: 3.125e9)
        /// 100 Gb/s InfiniBand EDR with RDMA: 12.5 GB/s, about 1.5 µs per message.
        public static let infinibandEDR = Link(name: "100 Gb/s InfiniBand EDR", latency: 1.5e-6, bandwidth: 12.5e9)
        /// 200 Gb/s InfiniBand HDR with RDMA: 25 GB/s, about 1 µs per message.
        public static let infinibandHDR = Link(name: "200 Gb/s InfiniBand HDR", latency: 1e-6, bandwidth: 25e9)

        /// The links of the planning tables, slowest first.
        public static let common: [Link] = [.ethernet10G, .ethernet25G, .infinibandEDR, .infinibandHDR]
    }

    /// Seconds to allreduce `bytes` over `ranks` machines in `calls` allreduce calls (the bytes
    /// split evenly between them).
    ///
    /// - Parameters:
    ///   - bytes: the gradient's size.
    ///   - ranks: the number of machines in the ring.
    ///   - link: the network.
    ///   - calls: allreduce calls the bytes travel in (one per tensor without fusion).
    public static func seconds(bytes: Int, ranks: Int, link: Link, calls: Int = 1) -> Double {
        guard ranks > 1 else { return 0 }
        let n = Double(ranks)
        return 2 * (n - 1) / n * Double(bytes) / link.bandwidth + Double(calls) * 2 * (n - 1) * link.latency
    }

    /// The bandwidth part alone: the time no fusion can save.
    ///
    /// - Parameters:
    ///   - bytes: the gradient's size.
    ///   - ranks: the number of machines in the ring.
    ///   - link: the network.
    public static func bandwidthSeconds(bytes: Int, ranks: Int, link: Link) -> Double {
        guard ranks > 1 else { return 0 }
        let n = Double(ranks)
        return 2 * (n - 1) / n * Double(bytes) / link.bandwidth
    }

    /// The latency and bandwidth that fit measured allreduce times on `ranks` ranks best, in
    /// relative terms (least squares weighted by 1 / time², so a 20 µs call counts as much as a
    /// 20 ms one) on `time = 2(N-1)/N × bytes / bandwidth + 2(N-1) × latency`.
    ///
    /// - Parameters:
    ///   - samples: (bytes, seconds) of measured allreduce calls.
    ///   - ranks: the ranks they ran on (at least 2).
    ///   - name: the fitted link's name.
    public static func fit(_ samples: [(bytes: Int, seconds: Double)], ranks: Int, name: String) -> Link? {
        guard ranks > 1, samples.count >= 2, samples.allSatisfy({ $0.seconds > 0 }) else { return nil }
        let n = Double(ranks)
        var w = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        for sample in samples {
            let x = 2 * (n - 1) / n * Double(sample.bytes), y = sample.seconds, weight = 1 / (y * y)
            w += weight
            sx += weight * x
            sy += weight * y
            sxx += weight * x * x
            sxy += weight * x * y
        }
        let denominator = w * sxx - sx * sx
        guard denominator > 0 else { return nil }
        let slope = (w * sxy - sx * sy) / denominator
        let intercept = (sy - slope * sx) / w
        guard slope > 0 else { return nil }
        return Link(name: name, latency: Swift.max(intercept, 0) / (2 * (n - 1)), bandwidth: 1 / slope)
    }
}
