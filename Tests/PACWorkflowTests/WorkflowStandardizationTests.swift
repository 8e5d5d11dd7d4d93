import Foundation
import PACEngine
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// `--standardize`: statistics from the source training rows, stored in the model, applied on
/// the way in and undone on the way out, and reused unchanged for the target task.
struct WorkflowStandardizationTests {
    /// Per-column mean and population standard deviation, two-pass in Double.
    static func statistics(_ x: Tensor) -> (mean: [Double], std: [Double]) {
        let rows = x.shape[0], columns = x.shape[1], values = x.scalars.map(Double.init)
        let mean = (0..<columns).map { c in (0..<rows).reduce(0.0) { $0 + values[$1 * columns + c] } / Double(rows) }
        let std = (0..<columns).map { c in
            ((0..<rows).reduce(0.0) { $0 + pow(values[$1 * columns + c] - mean[c], 2) } / Double(rows)).squareRoot()
        }
        return (mean, std)
    }

    static func expectClose(_ actual: [Float]?, _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else { Issue.record("missing statistics", sourceLocation: sourceLocation); return }
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(Double(a) - e) <= 1e-5 * max(1, abs(e)), "\(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test func storedStatisticsAreTheTrainingData() throws {
        let pipeline = try TinyPipeline(standardize: true)
        let stats = try #require(pipeline.trained.standardization)
        let inputs = Self.statistics(pipeline.source.inputs), targets = Self.statistics(pipeline.source.targets)
        Self.expectClose(stats.inputMean, inputs.mean)
        Self.expectClose(stats.inputStd, inputs.std)
        Self.expectClose(stats.targetMean, targets.mean)
        Self.expectClose(stats.targetStd, targets.std)
        // Every later stage keeps the source statistics.
        for model in [pipeline.pruned, pipeline.allocated, pipeline.calibrated] { #expect(model.standardization == stats) }
        #expect(try TinyPipeline(standardize: false).calibrated.standardization == nil)
    }

    @Test func classificationTargetsAreNotStandardized() throws {
        var rng = RandomGenerator(seed: 4)
        let inputs = Tensor(shape: [20, 3], generating: { _ in rng.uniform(0, 10) })
        let data = LabeledData(inputs: inputs, targets: Tensor(shape: [20, 1], scalars: (0..<20).map { Float($0 % 3) }),
                               featureNames: ["a", "b", "c"], targetNames: ["class"])
        let (model, _) = try Workflow.train(data: data, architecture: Architecture(sizes: [3, 4, 3], activation: .relu),
                                            loss: .crossEntropy, options: TrainingOptions(epochs: 1, batchSize: 8), standardize: true)
        let stats = try #require(model.standardization)
        #expect(stats.targetMean == nil && stats.targetStd == nil)
        Self.expectClose(stats.inputMean, Self.statistics(inputs).mean)
    }

    @Test func scoresAndPredictionsAreInTheTargetsUnits() throws {
        // y = 1000 + 100 x: standard deviation about 58, mean 1000.
        let rows = 64
        let x = (0..<rows).map { Float($0) / Float(rows - 1) * 2 - 1 }
        let data = LabeledData(inputs: Tensor(shape: [rows, 1], scalars: x), targets: Tensor(shape: [rows, 1], scalars: x.map { 1000 + 100 * $0 }),
                               featureNames: ["x"], targetNames: ["y"])
        let (model, report) = try Workflow.train(
            data: data, architecture: Architecture(sizes: [1, 8, 1], activation: .tanh), loss: .mse,
            options: TrainingOptions(epochs: 40, batchSize: 16, learningRate: 1e-2, seed: 0), standardize: true)
        let stats = try #require(model.standardization)
        let outputs = Prediction.outputs(model.network, inputs: data.inputs, standardization: stats)
        let mean = outputs.scalars.reduce(0.0) { $0 + Double($1) } / Double(rows)
        #expect(abs(mean - 1000) < 20, "predictions come back in the data's units: mean \(mean)")
        // The reported RMSE is measured against the raw targets...
        #expect(report.training.value == rootMeanSquaredError(outputs, data.targets))
        // ...which is the standardized-space error times the target standard deviation.
        let normalized = model.network.predict(stats.normalizeInputs(data.inputs))
        let standardizedRMSE = rootMeanSquaredError(normalized, stats.normalizeTargets(data.targets))
        let targetStd = Double(try #require(stats.targetStd?.first))
        #expect(abs(report.training.value - standardizedRMSE * targetStd) <= 1e-3 * report.training.value)
        #expect(report.training.value > 5 * standardizedRMSE, "RMSE \(report.training.value) should be in y's units, not standardized")
        #expect(report.training.value < 0.5 * targetStd, "the fit should beat predicting the mean")
    }

    @Test func calibrationUsesTheSourceStatistics() throws {
        let pipeline = try TinyPipeline(standardize: true)
        // A target task on a very different scale.
        let shifted = regressionData(rows: 32, seed: 9, offset: 500, scale: 40, targetName: "z")
        let options = TrainingOptions(epochs: 3, batchSize: 8, learningRate: 1e-2, seed: 1)
        let (calibrated, report) = try Workflow.calibrate(pipeline.allocated, data: shifted, lambda: .fixed(0.01), schedules: try options.targetSchedules(), options: options)
        let source = try #require(pipeline.allocated.standardization)
        #expect(calibrated.standardization == source)
        #expect(report.training == Score.of(calibrated.network, on: shifted, loss: .mse, standardization: source))
        let own = Standardization(inputs: shifted.inputs, targets: shifted.targets)
        #expect(report.training != Score.of(calibrated.network, on: shifted, loss: .mse, standardization: own))
        #expect(try Workflow.evaluate(calibrated, data: shifted, task: .target) == report.training)
    }
}
