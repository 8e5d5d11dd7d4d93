import PACEngine
import Testing
@testable import PACNN

/// `Trainer.fit` trains an `MLP` without a graph (`MLPTrainingRun`); every case here trains two
/// copies, one through the graph and one without, and demands the same bits everywhere.
@Suite struct MLPTrainingRunTests {
    /// What a training run leaves behind, as bit patterns.
    struct Outcome: Equatable {
        var parameters: [[UInt32]]
        var moments: [[UInt32]?]
        var history: [UInt64]
        var error: TrainingError?
    }

    private func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

    /// Trains a copy of `model` through the graph or not, with `configure` setting masks and
    /// building the objective on the copy.
    private func train(_ model: MLP, graph: Bool, loss: Loss, epochs: Int = 3, batchSize: Int = 7, learningRate: Float = 0.01,
                       inputs: Tensor, targets: Tensor, configure: (MLP) -> Objective) -> Outcome {
        let copy = model.clone()
        let objective = configure(copy)
        let trainer = Trainer(epochs: epochs, batchSize: batchSize, loss: loss, objective: objective)
        let optimizer = Adam(parameters: copy.parameters(), learningRate: learningRate)
        var rng = RandomGenerator(seed: 11, stream: "shuffle")
        var history: [Double] = []
        var error: TrainingError?
        do {
            history = graph
                ? try trainer.fitThroughGraph(copy, optimizer: optimizer, inputs: inputs, targets: targets, rng: &rng)
                : try trainer.fit(copy, optimizer: optimizer, inputs: inputs, targets: targets, rng: &rng)
        } catch let caught {
            error = caught
        }
        return Outcome(parameters: copy.parameters().map { bits($0.value) },
                       moments: copy.parameters().indices.map { optimizer.firstMoment($0).map { $0.map(\.bitPattern) } },
                       history: history.map(\.bitPattern), error: error)
    }

    private func data(rows: Int, features: Int, outputs: Int, seed: UInt64) -> (Tensor, Tensor) {
        var rng = RandomGenerator(seed: seed, stream: "data")
        return (rng.normalTensor(shape: [rows, features]), rng.normalTensor(shape: [rows, outputs]))
    }

    private func expectSameBits(_ model: MLP, loss: Loss, epochs: Int = 3, batchSize: Int = 7, learningRate: Float = 0.01,
                                inputs: Tensor, targets: Tensor, configure: (MLP) -> Objective = { _ in .dataLoss }) {
        let graph = train(model, graph: true, loss: loss, epochs: epochs, batchSize: batchSize, learningRate: learningRate,
                          inputs: inputs, targets: targets, configure: configure)
        let direct = train(model, graph: false, loss: loss, epochs: epochs, batchSize: batchSize, learningRate: learningRate,
                           inputs: inputs, targets: targets, configure: configure)
        #expect(graph == direct)
        // The run changed something, so equality is not vacuous.
        #expect(graph.parameters != model.parameters().map { bits($0.value) })
    }

    @Test func plainTrainingMatchesTheGraph() {
        var rng = RandomGenerator(seed: 1)
        let model = MLP(sizes: [5, 16, 12, 3], activation: .relu, rng: &rng)
        let (x, y) = data(rows: 40, features: 5, outputs: 3, seed: 1)
        expectSameBits(model, loss: .mse, inputs: x, targets: y)
    }

    @Test func singleOutputHeadSumsItsBiasGradientAsTheGraphDoes() {
        var rng = RandomGenerator(seed: 2)
        let model = MLP(sizes: [4, 24, 1], activation: .tanh, rng: &rng)
        let (x, y) = data(rows: 33, features: 4, outputs: 1, seed: 2)
        expectSameBits(model, loss: .mse, batchSize: 32, inputs: x, targets: y)
    }

    @Test func pacnetCalibrationWithMasksFrozenBiasesAndPrunedPenalty() {
        var rng = RandomGenerator(seed: 3)
        let model = MLP(sizes: [6, 20, 20, 1], activation: .relu, rng: &rng)
        let (x, y) = data(rows: 50, features: 6, outputs: 1, seed: 3)
        expectSameBits(model, loss: .mse, batchSize: 16, inputs: x, targets: y) { copy in
            var maskRNG = RandomGenerator(seed: 3, stream: "masks")
            var terms: [ParameterPenalty.Term] = []
            for layer in copy.linearLayers {
                let free = Tensor(shape: layer.weight.shape, generating: { _ in maskRNG.uniform() < 0.2 ? 1 : 0 })
                layer.weight.updateMask = free
                layer.bias?.freeze()
                terms.append(.masked(layer.weight, mask: free))
            }
            return .penalized(by: ParameterPenalty(terms: terms, strength: 0.3))
        }
    }

    @Test func anchoredPenaltyOnEveryParameterWithBinaryCrossEntropy() {
        var rng = RandomGenerator(seed: 4)
        let model = MLP(sizes: [3, 10, 2], activation: .sigmoid, rng: &rng)
        let anchor = MLP(sizes: [3, 10, 2], activation: .sigmoid, rng: &rng)
        let (x, raw) = data(rows: 30, features: 3, outputs: 2, seed: 4)
        let y = raw.map { $0 > 0 ? 1 : 0 }
        expectSameBits(model, loss: .bce, inputs: x, targets: y) { copy in
            let terms = zip(copy.parameters(), anchor.parameters()).map { ParameterPenalty.Term.anchored($0, anchor: $1.value) }
            return .penalized(by: ParameterPenalty(terms: terms, strength: 0.05))
        }
    }

    @Test func frozenLowerLayersAndCrossEntropy() {
        var rng = RandomGenerator(seed: 5)
        let model = MLP(sizes: [4, 12, 12, 3], activation: .relu, rng: &rng)
        let (x, raw) = data(rows: 25, features: 4, outputs: 1, seed: 5)
        let y = raw.map { Float(min(2, max(0, Int(($0 + 1.5).rounded(.down))))) }
        expectSameBits(model, loss: .crossEntropy, inputs: x, targets: y) { copy in
            copy.linearLayers[0].weight.freeze()
            copy.linearLayers[0].bias?.freeze()
            return .dataLoss
        }
    }

    @Test func divergenceIsDetectedAtTheSameStep() {
        var rng = RandomGenerator(seed: 6)
        let model = MLP(sizes: [4, 32, 32, 1], activation: .relu, rng: &rng)
        let (x, y) = data(rows: 64, features: 4, outputs: 1, seed: 6)
        let configure: (MLP) -> Objective = { copy in
            .penalized(by: ParameterPenalty(terms: copy.linearLayers.map { .anchored($0.weight, anchor: Tensor(zeros: $0.weight.shape)) },
                                            strength: 1e-3))
        }
        let graph = train(model, graph: true, loss: .mse, epochs: 20, batchSize: 8, learningRate: 50, inputs: x, targets: y, configure: configure)
        let direct = train(model, graph: false, loss: .mse, epochs: 20, batchSize: 8, learningRate: 50, inputs: x, targets: y, configure: configure)
        #expect(graph.error != nil)
        #expect(graph == direct)
    }

    @Test func otherModelsAndObjectivesTakeTheGraph() {
        var rng = RandomGenerator(seed: 7)
        let model = MLP(sizes: [2, 3, 1], activation: .relu, rng: &rng)
        let trainer = Trainer(epochs: 1, batchSize: 4, loss: .mse)
        #expect(MLPTrainingRun(model, trainer: trainer, penalties: [], inputs: Tensor(zeros: [4, 2])) != nil)
        // Wrong input width: left to the graph, which reports it.
        #expect(MLPTrainingRun(model, trainer: trainer, penalties: [], inputs: Tensor(zeros: [4, 3])) == nil)
        // A parameter penalized twice would sum three gradient parts in an order of its own.
        let term = ParameterPenalty.Term.anchored(model.linearLayers[0].weight, anchor: model.linearLayers[0].weight.value)
        #expect(MLPTrainingRun(model, trainer: trainer, penalties: [ParameterPenalty(terms: [term, term], strength: 1)],
                               inputs: Tensor(zeros: [4, 2])) == nil)
        // A penalty on another model's parameter.
        let other = MLP(sizes: [2, 3, 1], activation: .relu, rng: &rng)
        #expect(MLPTrainingRun(model, trainer: trainer, penalties: [ParameterPenalty(terms: [.anchored(other.linearLayers[0].weight,
                               anchor: Tensor(zeros: [3, 2]))], strength: 1)], inputs: Tensor(zeros: [4, 2])) == nil)
    }
}
