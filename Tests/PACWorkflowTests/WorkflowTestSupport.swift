import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// Runs `body` with a fresh empty directory under the system temporary directory, then removes it.
func withScratchDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pacworkflow-" + UUID().uuidString).path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Writes `contents` to `directory/name` and returns the path.
@discardableResult
func writeFile(_ contents: String, _ name: String, in directory: String) throws -> String {
    let path = (directory as NSString).appendingPathComponent(name)
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@discardableResult
func writeFile(_ contents: Data, _ name: String, in directory: String) throws -> String {
    let path = (directory as NSString).appendingPathComponent(name)
    try contents.write(to: URL(fileURLWithPath: path))
    return path
}

/// A tiny seeded regression set: 3 inputs, `y = offset + scale * (x0 - 0.5 x1 + 0.3 sin(3 x2))`.
func regressionData(rows: Int = 64, seed: UInt64 = 1, offset: Float = 0, scale: Float = 1,
                    targetName: String = "y") -> LabeledData {
    var rng = RandomGenerator(seed: seed, stream: "tests/regression")
    var inputs: [Float] = [], targets: [Float] = []
    for _ in 0..<rows {
        let x = (0..<3).map { _ in rng.uniform(-1, 1) }
        inputs += x
        targets.append(offset + scale * (x[0] - 0.5 * x[1] + 0.3 * Float(sin(3 * Double(x[2])))))
    }
    return LabeledData(inputs: Tensor(shape: [rows, 3], scalars: inputs), targets: Tensor(shape: [rows, 1], scalars: targets),
                       featureNames: ["a", "b", "c"], targetNames: [targetName])
}

let tinyArchitecture = Architecture(sizes: [3, 8, 8, 1], activation: .tanh)

/// Every stage of a tiny PAC-Net run on synthetic data.
struct TinyPipeline {
    let source: LabeledData
    let target: LabeledData
    let trained: ModelFile
    let pruned: ModelFile
    let allocated: ModelFile
    let calibrated: ModelFile
    let allocateReport: Workflow.TrainingReport
    let calibrateReport: Workflow.CalibrationReport

    init(standardize: Bool = true, ratio: PruningRatio = 0.5, lambda: PenaltyStrength = 0.01) throws {
        source = regressionData(rows: 64, seed: 1)
        // A related target task with its own target column name.
        target = regressionData(rows: 32, seed: 2, offset: 0.5, scale: -0.8, targetName: "z")
        let options = TrainingOptions(epochs: 4, batchSize: 16, learningRate: 1e-2, seed: 3)
        (trained, _) = try Workflow.train(data: source, architecture: tinyArchitecture, loss: .mse, options: options,
                                          standardize: standardize)
        pruned = try Workflow.prune(trained, pruning: MagnitudePruning(ratio: ratio))
        (allocated, allocateReport) = try Workflow.allocate(pruned, data: source, options: options)
        (calibrated, calibrateReport) = try Workflow.calibrate(allocated, data: target, lambda: .fixed(lambda), schedules: try options.targetSchedules(), options: options)
    }

    func model(at stage: PACNetStage) -> ModelFile {
        switch stage {
        case .trained: trained
        case .pruned: pruned
        case .allocated: allocated
        case .calibrated: calibrated
        }
    }
}

/// Bit patterns, so `-0 != 0` and NaNs compare by payload.
func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

/// Every parameter of `network` by name, as bit patterns.
func parameterBits(_ network: any Module) -> [String: [UInt32]] {
    Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.name, bits($0.value)) })
}

/// The `WorkflowError` that `body` throws, or nil (recording an issue) if it throws nothing or something else.
func workflowError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> WorkflowError? {
    do {
        _ = try body()
        Issue.record("expected a WorkflowError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as WorkflowError {
        #expect(!error.description.contains("\n"), "one line: \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a WorkflowError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
