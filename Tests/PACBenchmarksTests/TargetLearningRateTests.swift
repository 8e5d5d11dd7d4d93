import PACNet
import Testing
@testable import PACBenchmarks

/// The benchmarks' target learning rate: which runs each method gets, how their records are
/// labelled, and that selecting it picks from the grid for every method alike.
@Suite struct TargetLearningRateTests {
    @Test func runsCarryTheLearningRateOfEveryVariant() {
        var config = ExperimentConfiguration()
        #expect(config.runs(of: .finetune).map(\.learningRate) == [nil])
        config.targetLearningRate = .fixed(3e-3)
        #expect(config.runs(of: .pacnet).map(\.learningRate) == [.fixed(3e-3)])
        config.targetLearningRate = .auto
        #expect(config.runs(of: .finetune).map(\.method) == [.finetune] && config.runs(of: .finetune).map(\.learningRate) == [.auto])
        config.autoRatio = true
        config.autoLambda = true
        #expect(config.runs(of: .pacnetBias).map(\.method) == [.pacnetBias(ratio: .auto, lambda: .auto)])
        // Side by side: the paper's fixed settings at the schedule's rate, then everything selected.
        config.compareAutoWithDefaults = true
        let runs = config.runs(of: .pacnet)
        #expect(runs.map(\.method) == [.pacnet(ratio: .fixed(0.8), lambda: .fixed(0.01)), .pacnet(ratio: .auto, lambda: .auto)])
        #expect(runs.map(\.learningRate) == [nil, .auto])
        #expect(config.runs(of: .finetune).map(\.learningRate) == [nil, .auto])
    }

    @Test func labelsNameWhatWasSelected() {
        func label(_ method: TransferMethod, r: Bool, l: Bool, lr: Bool) -> String {
            SelectionOutcome(autoRatio: r, autoLambda: l, ratio: nil, lambda: nil, autoLearningRate: lr, learningRate: nil, seconds: 0)
                .label(for: method)
        }
        #expect(label(.pacnet, r: true, l: true, lr: false) == "auto")
        #expect(label(.pacnet, r: true, l: false, lr: false) == "auto-r")
        #expect(label(.pacnet, r: false, l: true, lr: false) == "auto-λ")
        #expect(label(.l2sp, r: false, l: true, lr: false) == "auto")
        #expect(label(.pacnet, r: true, l: true, lr: true) == "auto+lr")
        #expect(label(.pacnetBias, r: false, l: true, lr: true) == "auto-λ+lr")
        #expect(label(.pacnet, r: false, l: false, lr: true) == "auto-lr")
        #expect(label(.finetune, r: false, l: false, lr: true) == "auto-lr")
    }

    @Test func everyMethodSelectsItsRateFromTheGrid() throws {
        var config = TinyExperiment.configuration(seeds: [0], targetSizes: [6], methods: [.scratch, .finetune, .pacnet])
        config.targetLearningRate = .auto
        config.selection.learningRates = [1e-4, 1e-2]
        let records = try TinyExperiment.run(config)
        let transfers = records.compactMap { if case .transfer(let r) = $0 { r } else { nil } }
        #expect(transfers.map(\.method) == [.scratch, .finetune, .pacnet])
        for record in transfers {
            let selection = try #require(record.selection)
            #expect(selection.autoLearningRate && [1e-4, 1e-2].contains(selection.learningRate))
            #expect(record.variantLabel == "\(record.method.rawValue) auto-lr")
            let line = ExperimentRecord.transfer(record).jsonLine(metric: "rmse")
            #expect(line.contains("\"selection\":\"auto-lr\"") && line.contains("\"selected_learning_rate\":"))
        }
    }
}
