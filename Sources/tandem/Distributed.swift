import Foundation
import TandemCompare

/// " over 2 ranks (mpirun), batch 32 per rank = 64 per step", for the header of `train`.
func distributedNote(_ group: ProcessGroup, batchSize: Int) -> String {
    guard group.usesMPI else { return " (--distributed without mpirun: one rank)" }
    return ", data-parallel over \(group.size) ranks, batch \(batchSize) per rank = \(batchSize * group.size) per step"
}

/// The JSON `train --json` writes: the recipe, the per-step training losses (averaged over the
/// ranks when distributed) and each epoch's test accuracy.
func trainingReport(_ training: ReferenceTraining, frontend: String, epochs: [ReferenceTraining.Epoch]) -> [String: Any] {
    let ranks = training.group?.size ?? 1
    return [
        "model": training.spec.name, "frontend": frontend, "ranks": ranks, "batch_size": training.batchSize,
        "global_batch_size": training.batchSize * ranks, "learning_rate": Double(training.learningRate),
        "momentum": Double(training.momentum), "seed": Int(training.seed),
        "losses": epochs.flatMap(\.losses),
        "test_accuracy": epochs.map(\.testAccuracy),
        "epochs": epochs.map { epoch -> [String: Any] in
            ["epoch": epoch.number, "steps": epoch.losses.count, "mean_loss": epoch.meanLoss,
             "test_accuracy": epoch.testAccuracy, "seconds": epoch.seconds]
        },
    ]
}
