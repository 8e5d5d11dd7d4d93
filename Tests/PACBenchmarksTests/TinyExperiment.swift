@testable import PACBenchmarks
import PACNet

/// Small shared fixtures: a Friedman task and experiment configuration sized for debug-build tests.
enum TinyExperiment {
    /// The Friedman task with a few hundred samples and a 10-16-16-1 network.
    static func task(sourceTrainCount: Int = 300, testCount: Int = 300, hiddenSizes: [Int] = [16, 16]) -> FriedmanTask {
        var task = FriedmanTask()
        task.sourceTrainCount = sourceTrainCount
        task.testCount = testCount
        task.hiddenSizes = hiddenSizes
        return task
    }

    /// Two seeds, two target sizes, every method, a handful of epochs.
    static func configuration(seeds: [UInt64] = [0, 1], targetSizes: [Int] = [5, 10],
                              methods: [TransferMethod] = TransferMethod.allCases) -> ExperimentConfiguration {
        var config = ExperimentConfiguration()
        config.seeds = seeds
        config.targetSizes = targetSizes
        config.methods = methods
        config.schedules.sourceEpochs = 3
        config.schedules.allocateEpochs = 2
        config.schedules.targetEpochs = 4
        config.parallelSeeds = 1
        return config
    }

    static func run(_ config: ExperimentConfiguration, task: FriedmanTask = task()) throws -> [ExperimentRecord] {
        try TransferExperiment(task: task, configuration: config).run()
    }
}

/// A record without its timing, with scores as bit patterns so equality means bit-equality.
struct ScoreRow: Equatable, CustomStringConvertible {
    var seed: UInt64
    var stage: PACNetStage?
    var nTarget: Int?
    var method: TransferMethod?
    var targetBits: UInt64?
    var sourceBits: UInt64?

    init(_ record: ExperimentRecord) {
        switch record {
        case .stage(let r):
            seed = r.seed; stage = r.stage; sourceBits = r.sourceScore.bitPattern
        case .transfer(let r):
            seed = r.seed; nTarget = r.nTarget; method = r.method
            targetBits = r.targetScore.bitPattern; sourceBits = r.sourceScore?.bitPattern
        }
    }

    var description: String {
        let target = targetBits.map { "\(Double(bitPattern: $0))" } ?? "-"
        let source = sourceBits.map { "\(Double(bitPattern: $0))" } ?? "nil"
        if let stage { return "seed \(seed) stage \(stage.rawValue): source \(source)" }
        return "seed \(seed) n \(nTarget ?? -1) \(method?.rawValue ?? "?"): target \(target) source \(source)"
    }
}

extension Array where Element == ExperimentRecord {
    var scoreRows: [ScoreRow] { map(ScoreRow.init) }

    var stages: [StageRecord] { compactMap { if case .stage(let r) = $0 { r } else { nil } } }

    var transfers: [TransferRecord] { compactMap { if case .transfer(let r) = $0 { r } else { nil } } }
}
