// Tutorial 18: data-parallel training, the PyTorch way and the TensorFlow way.
//
// Data parallelism: every process (a "rank") holds a whole copy of the model, trains on its own
// slice of each batch, and the ranks average their gradients before every update, so every copy
// takes exactly the same step. Two ranks with batches of 32 then train like one process with
// batches of 64.
// - PyTorch's DistributedDataParallel (DDP) averages gradients from hooks DURING backward, in
//   buckets, so communication overlaps the rest of backward.
// - Horovod (for TensorFlow graphs) puts an allreduce node between each gradient and its update;
//   the graph optimiser fuses the small allreduces into one big one.
//
// Run: swift run -c release tutorial-18-data-parallel     (it starts itself on 2 ranks with mpirun)
//      mpirun -np 2 .build/release/tutorial-18-data-parallel   (the same, started by hand)
import Foundation
import TandemDistributed
import TandemEager
import TandemGraph

let quick = CommandLine.arguments.contains("--quick") || ProcessInfo.processInfo.environment["TANDEM_QUICK"] == "1"
let steps = quick ? 8 : 40

// MARK: The launcher: this program starts itself on two ranks.

if !ProcessGroup.launchedByMPI && !CommandLine.arguments.contains("--single") {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    guard let mpirun = MPILauncher() else {
        print("mpirun not found (apt-get install openmpi-bin): running as a single rank instead.\n")
        let single = try MPILauncher.run(me, arguments: ["--single"] + (quick ? ["--quick"] : []))
        print(single.output, terminator: "")
        exit(single.status)
    }
    print("Starting 2 ranks: mpirun -np 2 \(me.lastPathComponent)\n")
    let job = try mpirun.run(ranks: 2, executable: me, arguments: quick ? ["--quick"] : [])
    print(job.output, terminator: "")
    guard job.status == 0 else { exit(job.status) }

    print("\n== 5. Uneven batches: the classic hang, turned into an error ==")
    // A separate job, because after the error the job stops (a collective is left unfinished).
    let uneven = try mpirun.run(ranks: 2, executable: me, arguments: ["--uneven"])
    print(uneven.output.split(separator: "\n").filter { $0.hasPrefix("rank ") }.joined(separator: "\n"))
    print(String(format: "(the whole job, start to stop, took %.1f s)", uneven.seconds))
    exit(0)
}

// MARK: The program every rank runs.

let group = ProcessGroup.world
/// Prints on rank 0 only (every rank computes the same numbers).
func say(_ text: String = "") { if group.rank == 0 { print(text) } }

if CommandLine.arguments.contains("--uneven") {
    // Each rank takes every second example by hand: 129 examples give rank 0 65 (three batches
    // of 32, the last of one example) and rank 1 64 (two batches). Rank 1 finishes first.
    let model = DistributedDataParallel(TandemEager.Sequential { Linear(784, 32); ReLU(); Linear(32, 10) })
    let optimizer = SGD(model.parameters, lr: 0.05)
    let data = try MNISTDataset(split: .test, flatten: true)
    let mine = Array(stride(from: group.rank, to: 129, by: group.size))
    let start = Date()
    do {
        for (x, y) in DataLoader(TensorDataset(inputs: data.batch(mine).inputs, labels: data.batch(mine).labels), batchSize: 32) {
            try checked {
                optimizer.zeroGrad()
                crossEntropy(model(x), y).backward()
                optimizer.step()
            }
        }
        print("rank \(group.rank): finished its \(mine.count) examples after \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
    } catch {
        print("rank \(group.rank): error after \(String(format: "%.2f", Date().timeIntervalSince(start))) s: \(error)")
    }
    exit(0)
}

say("== 1. The process group ==")
say("ranks: \(group.size) (this is rank \(group.rank) on \(group.hostName))")
// allreduce: every rank contributes a value, every rank gets the combination of all of them.
let sum = try group.allreduce([Float(group.rank + 1)], op: .sum)[0]
let mean = try group.allreduce([Float(group.rank + 1)], op: .average)[0]
say("allreduce sum of rank + 1 over \(group.size) ranks = \(sum)   (1 + 2 + ... + n = n(n+1)/2)")
say("allreduce average of rank + 1 = \(mean)   ((n+1)/2)")

// The data: MNIST, one shared shuffled order; rank r takes the r-th of every `size` examples.
let train = try MNISTDataset(split: .train, flatten: true)
let perRank = 32
let sampler = DistributedSampler(count: train.count, seed: 7)
let order = Generator(seed: 7).permutation(train.count)  // the order every rank shuffles to (epoch 0)
let loader = DataLoader(train, batchSize: perRank, sampler: sampler)
say("each rank's shard: \(sampler.count) of \(train.count) examples, \(perRank) per step (\(perRank * group.size) per step in all)")

/// The global batch of step `k`: what one process would take with batches of size x 32.
func globalBatch(_ k: Int) -> (Tensor, Tensor) {
    let (inputs, labels) = train.batch(Array(order[(k * perRank * group.size)..<((k + 1) * perRank * group.size)]))
    return (Tensor(inputs), Tensor(labels: labels))
}

func makeModel() -> TandemEager.Sequential {
    manualSeed(0)
    return TandemEager.Sequential { Linear(784, 128); ReLU(); Linear(128, 64); ReLU(); Linear(64, 10) }
}

say("\n== 2. Eager: DistributedDataParallel ==")
let model = DistributedDataParallel(makeModel(), bucketCapacityBytes: 32 << 10)
let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
say("gradient buckets, in the order their allreduces start:")
for (i, names) in model.bucketNames.enumerated() { say("  bucket \(i + 1): \(names.joined(separator: ", "))") }
// Rank 0 also trains a plain model on the whole global batch: the one-process reference.
let reference = makeModel()
let referenceOptimizer = SGD(reference.parameters, lr: 0.05, momentum: 0.9)

var ddpLosses: [Float] = [], oneProcessLosses: [Float] = []
// Watch backward: when the gradient reaches layer 0's output, how many buckets are on their way?
var startedWhenBackwardReachedLayer0 = -1
(model.module as! TandemEager.Sequential)[0].registerForwardHook { _, _, output in
    output.registerHook { _ in
        startedWhenBackwardReachedLayer0 = model.startedBuckets
        return nil
    }
}
for (k, (x, y)) in loader.prefix(steps).enumerated() {
    optimizer.zeroGrad()
    let loss = crossEntropy(model(x), y)
    loss.backward()  // every bucket is averaged over the ranks before this returns
    optimizer.step()
    let averaged = loss.detach()
    try group.allreduce(averaged, op: .average)
    ddpLosses.append(averaged.item())
    if group.rank == 0 {
        let (gx, gy) = globalBatch(k)
        referenceOptimizer.zeroGrad()
        let l = crossEntropy(reference(gx), gy)
        l.backward()
        referenceOptimizer.step()
        oneProcessLosses.append(l.item())
    }
}
say("when backward reached layer 0, \(startedWhenBackwardReachedLayer0) of \(model.bucketNames.count) buckets were already being averaged")
for k in [0, steps / 2, steps - 1] {
    say(String(format: "step %2d: loss over %d rank(s) x %d %.6f   one process x %d %.6f", k, group.size, perRank, ddpLosses[k],
               perRank * group.size, group.rank == 0 ? oneProcessLosses[k] : 0))
}
say("max |DDP loss - one-process loss| = \(group.rank == 0 ? zip(ddpLosses, oneProcessLosses).map { abs($0 - $1) }.max()! : 0)")

say("\n== 3. noSync: accumulate locally, average once ==")
let twoBatches = Array(loader.prefix(2))
let (x1, y1) = twoBatches[0], (x2, y2) = twoBatches[1]
optimizer.zeroGrad()
model.noSync { crossEntropy(model(x1), y1).backward() }
let localCheck = try group.allgather([model.parameters[0].grad!.sum().item()]).map { $0[0] }
crossEntropy(model(x2), y2).backward()
let syncedCheck = try group.allgather([model.parameters[0].grad!.sum().item()]).map { $0[0] }
say("sum of layer 0's weight gradient on each rank, inside noSync: \(localCheck)  (each rank its own)")
say("after one more backward outside noSync:                      \(syncedCheck)  (averaged, equal)")

say("\n== 4. Graph: Horovod's DistributedOptimizer ==")
let g = Graph()
let images = g.placeholder(shape: [nil, 784], name: "images")
let labels = g.labelsPlaceholder(name: "labels")
// The same network and initial weights as the eager one, as graph variables.
let weights = makeModel().stateDict()
func dense(_ x: Node, _ layer: Int) -> Node {
    linear(x, weight: g.variable(weights["\(layer).weight"]!, name: "\(layer).weight"),
           bias: g.variable(weights["\(layer).bias"]!, name: "\(layer).bias"))
}
let graphLoss = crossEntropy(dense(dense(dense(images, 0).relu(), 2).relu(), 4), labels)
let trainOp = DistributedOptimizer(wrapping: MomentumOptimizer(learningRate: 0.05, momentum: 0.9)).minimize(graphLoss)
let session = Session(graph: g)
try session.run(g.initializeVariables())
try session.broadcastVariables(from: 0)  // Horovod's broadcast_global_variables(0)
let plan = try session.dot(fetches: [graphLoss, trainOp], feedKeys: [images, labels])
say("allreduce nodes in the graph: \(g.nodes.filter { $0.kindName == "allreduce" }.count); in the optimised plan: "
    + (plan.contains("allreduce (6 fused)") ? "one fused allreduce of all 6 gradients" : "not fused"))
var graphLosses: [Float] = []
sampler.setEpoch(0)  // the batches of section 2 again
for (x, y) in loader.prefix(steps) {
    let local = try session.run([graphLoss, trainOp], feed: [images: x.array, labels: y.array])[0]
    graphLosses.append(try group.allreduce(local.scalars, op: .average)[0])
}
say("max |Horovod loss - one-process loss| = \(group.rank == 0 ? zip(graphLosses, oneProcessLosses).map { abs($0 - $1) }.max()! : 0)")
say("max |Horovod loss - DDP loss| = \(zip(graphLosses, ddpLosses).map { abs($0 - $1) }.max()!)")
