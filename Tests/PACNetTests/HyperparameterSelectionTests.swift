import PACEngine
import PACNN
import Testing
@testable import PACNet

/// Cross-validated choice of lambda and ratio: folds, determinism, and that it prefers the
/// setting with the lower held-out loss.
@Suite struct HyperparameterSelectionTests {
    @Test(arguments: [2, 3, 5, 7, 23])
    func foldsPartitionTheSamples(n: Int) {
        var rng = RandomGenerator(seed: 1)
        let folds = HyperparameterSelection().folds(count: n, rng: &rng)
        #expect(folds.count == min(5, n))
        #expect(folds.flatMap { $0 }.sorted() == Array(0..<n))
        let sizes = folds.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
    }

    func pipeline() throws -> (TransferPipeline<MLP>, Dataset) {
        let (source, _, sourceData) = try Fixtures.allocated()
        // The target schedule of every fold: Fixtures.schedule (5 epochs, batch 16, lr 1e-2).
        let schedules = StageSchedules(sourceEpochs: 5, allocateEpochs: 5, targetEpochs: 5, batchSize: 16, targetBatchCap: 16,
                                       learningRate: 1e-2)
        var pipeline = TransferPipeline(source: source, sourceData: sourceData, loss: .mse, schedules: schedules,
                                        makeFresh: { MLP(sizes: [3, 12, 12, 1], activation: .tanh, rng: &$0) })
        pipeline.selection.ratios = [0.5, 0.9]
        try pipeline.allocate(pipeline.selection.ratios, seed: 3, stream: "test/allocate")
        return (pipeline, Fixtures.data(count: 20, seed: 40, shift: 0.8))
    }

    @Test func choosesTheLowestHeldOutLossDeterministically() throws {
        let (pipeline, target) = try pipeline()
        var selection = HyperparameterSelection()
        selection.lambdas = [0, 1000]
        selection.ratios = [0.5, 0.9]
        func run() throws -> HyperparameterSelection.Choice {
            try selection.select(.pacnet(ratio: .auto, lambda: .auto), in: pipeline, target: target, seed: 7, stream: "test")
        }
        let choice = try run()
        #expect(choice.candidates.count == 4)
        #expect(choice.candidates.map(\.ratio) == [0.5, 0.5, 0.9, 0.9])
        #expect(choice.candidates.allSatisfy { $0.validationLoss != nil && $0.screeningLoss == nil })
        let best = choice.candidates.min { $0.validationLoss! < $1.validationLoss! }!
        #expect(choice.ratio == best.ratio && choice.lambda == best.lambda)
        // A huge penalty pins the freed weights at zero: the shifted target is fit worse.
        for ratio: PruningRatio in [0.5, 0.9] {
            let losses = choice.candidates.filter { $0.ratio == ratio }.map { $0.validationLoss! }
            #expect(losses[0] < losses[1], "ratio \(ratio): \(losses)")
        }
        #expect(choice.lambda == 0)
        let again = try run()
        #expect(again.candidates == choice.candidates && again.ratio == choice.ratio)
    }

    @Test func fixedSettingsAreNotSearched() throws {
        let (pipeline, target) = try pipeline()
        let choice = try HyperparameterSelection().select(.l2sp(lambda: .auto), in: pipeline, target: target, seed: 8, stream: "test")
        #expect(choice.ratio == nil && choice.candidates.count == 5 && choice.candidates.allSatisfy { $0.ratio == nil })
        let lambdaOnly = try HyperparameterSelection().select(.pacnet(ratio: .fixed(0.9), lambda: .auto), in: pipeline,
                                                              target: target, seed: 8, stream: "test")
        #expect(lambdaOnly.ratio == 0.9 && lambdaOnly.candidates.count == 5)
    }

    @Test func thePipelineTrainsTheChosenSettingOnAllTheData() throws {
        let (pipeline, target) = try pipeline()
        let streams = TransferStreams(seed: 9, training: "test/train", selection: "test/select")
        let outcome = try pipeline.transfer(.pacnet(ratio: .auto, lambda: .auto), target: target, streams: streams)
        let choice = try #require(outcome.selection)
        #expect(outcome.method == choice.method && !outcome.method.isAuto)
        // The same fixed method, trained directly, gives the same bits.
        let fixed = try pipeline.transfer(choice.method, target: target, streams: streams)
        #expect(fixed.selection == nil)
        #expect(Fixtures.bits(fixed.result.targetModel.predict(target.inputs)) == Fixtures.bits(outcome.result.targetModel.predict(target.inputs)))
    }

    @Test func anAutoLearningRateJoinsTheGridOfEveryMethod() throws {
        let (pipeline, target) = try pipeline()
        var selection = HyperparameterSelection()
        selection.lambdas = [0, 1000]
        selection.learningRates = [1e-4, 1e-2]
        let pacnet = try selection.select(.pacnet(ratio: .fixed(0.5), lambda: .auto), learningRate: .auto, in: pipeline,
                                          target: target, seed: 7, stream: "test")
        // Settings outer, learning rates inner.
        #expect(pacnet.candidates.map(\.lambda) == [0, 0, 1000, 1000])
        #expect(pacnet.candidates.map(\.learningRate) == [1e-4, 1e-2, 1e-4, 1e-2])
        let best = pacnet.candidates.min { $0.validationLoss! < $1.validationLoss! }!
        #expect(pacnet.learningRate == best.learningRate && pacnet.lambda == best.lambda)
        // A candidate at the schedule's rate scores as selection without a learning rate does.
        let plain = try selection.select(.pacnet(ratio: .fixed(0.5), lambda: .auto), in: pipeline, target: target, seed: 7, stream: "test")
        #expect(plain.learningRate == nil && plain.candidates.map(\.validationLoss) == [pacnet.candidates[1].validationLoss, pacnet.candidates[3].validationLoss])
        // Fine-tuning has nothing else to select: three epochs at 1e-4 barely move it from the source.
        let finetune = try selection.select(.finetune, learningRate: .auto, in: pipeline, target: target, seed: 7, stream: "test")
        #expect(finetune.candidates.count == 2 && finetune.method == .finetune)
        #expect(finetune.candidates[1].validationLoss! < finetune.candidates[0].validationLoss!)
        // The pipeline trains the chosen rate: the same bits as a transfer at that fixed rate.
        let streams = TransferStreams(seed: 9, training: "test/train", selection: "test/select")
        var selecting = pipeline
        selecting.selection = selection
        let outcome = try selecting.transfer(.finetune, learningRate: .auto, target: target, streams: streams)
        let fixed = try selecting.transfer(.finetune, learningRate: .fixed(try #require(outcome.learningRate)), target: target, streams: streams)
        #expect(fixed.selection == nil && fixed.learningRate == outcome.learningRate)
        #expect(Fixtures.bits(fixed.result.targetModel.predict(target.inputs)) == Fixtures.bits(outcome.result.targetModel.predict(target.inputs)))
        selection.learningRates = []
        #expect(throws: SettingError.self) { try selection.validate() }
    }

        @Test func screeningTrainsOnlyTheBestFullyAndTheyScoreAsWithoutIt() throws {
        let (pipeline, target) = try pipeline()
        var selection = HyperparameterSelection()
        selection.lambdas = [0, 1e-3, 1000]
        selection.ratios = [0.5, 0.9]
        let full = try selection.select(.pacnet(ratio: .auto, lambda: .auto), in: pipeline, target: target, seed: 7, stream: "test")
        selection.screening = .init(fraction: 0.4, keep: 2)
        let screened = try selection.select(.pacnet(ratio: .auto, lambda: .auto), in: pipeline, target: target, seed: 7, stream: "test")
        #expect(screened.candidates.allSatisfy { $0.screeningLoss != nil })
        let finalists = screened.candidates.indices.filter { screened.candidates[$0].validationLoss != nil }
        #expect(finalists.count == 2)
        // The finalists have the lowest screening losses.
        let cut = finalists.map { screened.candidates[$0].screeningLoss! }.max()!
        for candidate in screened.candidates where candidate.validationLoss == nil { #expect(candidate.screeningLoss! >= cut) }
        // A finalist trains exactly as without screening: the same held-out loss, bit for bit.
        for index in finalists { #expect(screened.candidates[index].validationLoss == full.candidates[index].validationLoss) }
        // The huge penalty is cut, and the winner is the full grid's whenever it survives.
        #expect(screened.candidates.filter { $0.lambda == 1000 }.allSatisfy { $0.validationLoss == nil })
        if finalists.contains(where: { screened.candidates[$0].method == full.method }) { #expect(screened.method == full.method) }
        // Keeping at least the whole grid is no screening at all.
        selection.screening = .init(fraction: 0.4, keep: 6)
        let all = try selection.select(.pacnet(ratio: .auto, lambda: .auto), in: pipeline, target: target, seed: 7, stream: "test")
        #expect(all.candidates == full.candidates && all.method == full.method)
    }

    @Test func screeningSettingsAreChecked() {
        var selection = HyperparameterSelection()
        for (fraction, keep) in [(0.0, 3), (1.0, 3), (0.5, 0), (-0.1, 2)] {
            selection.screening = .init(fraction: fraction, keep: keep)
            #expect(throws: SettingError.self) { try selection.validate() }
        }
        selection.screening = .init(fraction: 0.2, keep: 4)
        #expect(throws: Never.self) { try selection.validate() }
    }
}
