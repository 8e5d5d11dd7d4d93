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

    func setup() throws -> (TransferSetup<MLP>, [Double: PACNetModel<MLP>], Dataset) {
        let (source, _, sourceData) = try Fixtures.allocated()
        var allocated: [Double: PACNetModel<MLP>] = [:]
        for ratio in [0.5, 0.9] {
            let model = PACNetModel.prune(source, with: MagnitudePruning(ratio: ratio))
            var rng = RandomGenerator(seed: 3)
            try model.allocate(on: sourceData, loss: .mse, schedule: Fixtures.schedule, rng: &rng)
            allocated[ratio] = model
        }
        let setup = TransferSetup(source: source, allocated: allocated[0.5],
                                  makeFresh: { MLP(sizes: [3, 12, 12, 1], activation: .tanh, rng: &$0) },
                                  loss: .mse, schedule: Fixtures.schedule, lambda: 0.01)
        return (setup, allocated, Fixtures.data(count: 20, seed: 40, shift: 0.8))
    }

    @Test func choosesTheLowestHeldOutLossDeterministically() throws {
        let (setup, allocated, target) = try setup()
        var selection = HyperparameterSelection()
        selection.lambdas = [0, 1000]
        selection.ratios = [0.5, 0.9]
        func run() throws -> HyperparameterSelection.Choice {
            try selection.select(.pacnet, ratio: nil, lambda: nil, base: setup, allocated: { allocated[$0] },
                                 schedule: { _ in Fixtures.schedule }, target: target, seed: 7, stream: "test")
        }
        let choice = try run()
        #expect(choice.candidates.count == 4)
        #expect(choice.candidates.map(\.ratio) == [0.5, 0.5, 0.9, 0.9])
        let best = choice.candidates.min { $0.validationLoss < $1.validationLoss }!
        #expect(choice.ratio == best.ratio && choice.lambda == best.lambda)
        // A huge penalty pins the freed weights at zero: the shifted target is fit worse.
        for ratio in [0.5, 0.9] {
            let losses = choice.candidates.filter { $0.ratio == ratio }.map(\.validationLoss)
            #expect(losses[0] < losses[1], "ratio \(ratio): \(losses)")
        }
        #expect(choice.lambda == 0)
        let again = try run()
        #expect(again.candidates == choice.candidates && again.ratio == choice.ratio)
    }

    @Test func fixedSettingsAreNotSearched() throws {
        let (setup, allocated, target) = try setup()
        let choice = try HyperparameterSelection().select(
            .l2sp, ratio: nil, lambda: nil, base: setup, allocated: { allocated[$0] },
            schedule: { _ in Fixtures.schedule }, target: target, seed: 8, stream: "test")
        #expect(choice.ratio == nil && choice.candidates.count == 5 && choice.candidates.allSatisfy { $0.ratio == nil })
        let lambdaOnly = try HyperparameterSelection().select(
            .pacnet, ratio: 0.9, lambda: nil, base: setup, allocated: { allocated[$0] },
            schedule: { _ in Fixtures.schedule }, target: target, seed: 8, stream: "test")
        #expect(lambdaOnly.ratio == 0.9 && lambdaOnly.candidates.count == 5)
    }
}
