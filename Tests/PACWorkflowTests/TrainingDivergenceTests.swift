import PACEngine
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// A run whose loss becomes NaN or infinite stops with a one-line error naming the epoch.
struct TrainingDivergenceTests {
    @Test func hugeTargetsOverflowInTheFirstStep() throws {
        // (1e20)^2 overflows Float32: the very first loss is infinite.
        let data = regressionData(rows: 32, scale: 1e20)
        let error = workflowError {
            try Workflow.train(data: data, architecture: tinyArchitecture, loss: .mse,
                               options: TrainingOptions(epochs: 5, batchSize: 8), standardize: false)
        }
        #expect(error?.description == "training diverged: loss is inf at epoch 1, step 1 (try a smaller learning rate)")
        // Standardized, the same data trains.
        _ = try Workflow.train(data: data, architecture: tinyArchitecture, loss: .mse,
                               options: TrainingOptions(epochs: 2, batchSize: 8), standardize: true)
    }

    @Test func hugeLearningRateDivergesInALaterEpoch() throws {
        let data = regressionData(rows: 32)
        let error = workflowError {
            try Workflow.train(data: data, architecture: Architecture(sizes: [3, 8, 1], activation: .relu), loss: .mse,
                               options: TrainingOptions(epochs: 20, batchSize: 32, learningRate: 1e10), standardize: false)
        }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("training diverged: loss is "), "\(message)")
        #expect(message.contains("at epoch 2, step 1"), "\(message)")
    }

    @Test func calibrationDivergenceIsReportedToo() throws {
        let pipeline = try TinyPipeline(standardize: false)
        let huge = regressionData(rows: 16, seed: 7, scale: 1e20, targetName: "z")
        let error = workflowError {
            try Workflow.calibrate(pipeline.allocated, data: huge, lambda: .fixed(0.01), schedules: try TrainingOptions(epochs: 3, batchSize: 8).targetSchedules(), options: TrainingOptions(epochs: 3, batchSize: 8))
        }
        #expect(error?.description == "training diverged: loss is inf at epoch 1, step 1 (try a smaller learning rate)")
        let allocateError = workflowError {
            try Workflow.allocate(pipeline.pruned, data: regressionData(rows: 16, scale: 1e20), options: TrainingOptions(epochs: 3, batchSize: 8))
        }
        #expect(allocateError?.description.contains("at epoch 1, step 1") == true)
    }
}
