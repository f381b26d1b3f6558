import Foundation
import TandemDistributed
import TandemEager
import TandemGraph
let g = ProcessGroup.world
manualSeed(1)
let model = Sequential { Linear(4, 8); ReLU(); Linear(8, 3) }
let ddp = DistributedDataParallel(model, bucketCapacityBytes: 64)
print("buckets", ddp.bucketNames)
let x = Tensor(shape: [2, 4], scalars: (0..<8).map { Float($0 + g.rank * 8) / 10 })
let y = Tensor(labels: [g.rank, 2])
var order: [String] = []
for (name, p) in ddp.namedParameters { p.registerPostAccumulateGradHook { _ in order.append(name) } }
let loss = crossEntropy(ddp(x), y)
loss.backward()
print("rank", g.rank, "order", order, "grad0", ddp.parameters[0].grad!.scalars.prefix(4))
// reference: full batch on one process
let x2 = Tensor(shape: [4, 4], scalars: (0..<16).map { Float($0) / 10 })
let m2 = Sequential { Linear(4, 8); ReLU(); Linear(8, 3) }
try m2.loadStateDict(model.stateDict())
let y2 = Tensor(labels: [0, 2, 1, 2])
// rank 0 has rows 0,1 ; rank 1 rows 2,3 ; full-batch mean = average of halves
crossEntropy(m2(x2), y2).backward()
print("rank", g.rank, "ref  ", m2.parameters[0].grad!.scalars.prefix(4))

let graph = Graph()
let xin = graph.placeholder(shape: [nil, 4], name: "x")
let lab = graph.labelsPlaceholder(name: "y")
let w = graph.variable(NDArray(shape: [4, 3], scalars: (0..<12).map { Float($0) / 10 }), name: "w")
let b = graph.variable(NDArray(zeros: [3]), name: "b")
let gl = crossEntropy(xin.matmul(w) + b, lab)
let opt = DistributedOptimizer(wrapping: GradientDescentOptimizer(learningRate: 0.1))
let train = opt.minimize(gl)
let s = Session(graph: graph)
try s.run(graph.initializeVariables())
try s.broadcastVariables()
print(try s.dot(fetches: [gl, train], feedKeys: [xin, lab]).split(separator: "\n").filter { $0.contains("allreduce") || $0.contains("slice") })
try s.run([gl, train], feed: [xin: x.array, lab: y.array])
print("rank", g.rank, "w", try s.value(of: w).scalars.prefix(4))
