/// Default epochs and batch sizes of the PAC-Net stages when the user gives none: the tabular
/// benchmarks' for MLPs, the `shapes` benchmark's for image models (ResNets see far more
/// samples per epoch, so they need far fewer epochs).
struct StageDefaults {
    let sourceEpochs: Int
    let allocateEpochs: Int
    let targetEpochs: Int
    /// Source and allocation batch size.
    let batchSize: Int
    /// Target batches are `min(rows, targetBatchCap)`.
    let targetBatchCap: Int
    /// Target training runs at least this many optimizer steps (more epochs on few rows).
    let targetMinimumSteps: Int

    init(images: Bool) {
        if images {
            (sourceEpochs, allocateEpochs, targetEpochs, batchSize, targetBatchCap, targetMinimumSteps) = (8, 3, 30, 128, 64, 300)
        } else {
            (sourceEpochs, allocateEpochs, targetEpochs, batchSize, targetBatchCap, targetMinimumSteps) = (60, 30, 300, 128, 32, 0)
        }
    }

    /// Target batch size for `rows` samples (the trainer never uses more than `rows`).
    func targetBatch(rows: Int) -> Int { max(1, min(rows, targetBatchCap)) }

    /// Target epochs for `rows` samples at batch `batch`: `targetEpochs`, or enough for
    /// `targetMinimumSteps` steps.
    func targetEpochs(rows: Int, batch: Int) -> Int {
        let stepsPerEpoch = max(1, (rows + batch - 1) / max(batch, 1))
        return max(targetEpochs, (targetMinimumSteps + stepsPerEpoch - 1) / stepsPerEpoch)
    }
}
