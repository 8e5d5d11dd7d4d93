import PACEngine
import PACNN
import PACNet

/// `friedman` as a chain: the standard Friedman #1 source, then targets each drawn per seed as
/// the two-task benchmark's target is (`a_i, b_i ~ N(1, 0.1^2)`, `c_i ~ N(0, 0.05^2)`), from
/// streams of their own (`friedman/chain-2-coefficients`, ...). One MLP output serves every task.
extension FriedmanTask: ChainTask {
    public func makeChainData(seed: UInt64, targets: Int, count: Int) -> ChainData {
        func sample(_ count: Int, _ coefficients: FriedmanCoefficients, _ stream: String) -> Dataset {
            var rng = RandomGenerator(seed: seed, stream: "friedman/\(stream)")
            return FriedmanCoefficients.sample(count: count, coefficients: coefficients, rng: &rng)
        }
        let chainTargets = (1...targets).map { k in
            var coefficientRNG = RandomGenerator(seed: seed, stream: "friedman/chain-\(k)-coefficients")
            let coefficients = FriedmanCoefficients.randomTarget(rng: &coefficientRNG)
            return (train: sample(count, coefficients, "chain-\(k)-train"), test: sample(testCount, coefficients, "chain-\(k)-test"))
        }
        return ChainData(sourceTrain: sample(sourceTrainCount, .source, "source-train"),
                         sourceTest: sample(testCount, .source, "source-test"), targets: chainTargets)
    }

    public var maxChainTargets: Int { 16 }
    public var schedules: StageSchedules { .tabular }

    public func makeChainNetwork(targets: Int, rng: inout RandomGenerator) -> MLP { makeNetwork(rng: &rng) }

    public func score(_ model: MLP, on test: Dataset) -> Double {
        rootMeanSquaredError(model.predict(test.inputs, batchSize: 2048), test.targets)
    }
}
