import Foundation
import PACEngine
import PACNN
import Testing

@Suite("Training loop")
struct TrainerTests {
    /// y = 2x + 1 on 64 points in [-1, 1).
    private func lineData(seed: UInt64) -> (x: Tensor, y: Tensor) {
        var rng = RandomGenerator(seed: seed, stream: "data")
        let x = rng.uniformTensor(shape: [64, 1], low: -1, high: 1)
        return (x, x * 2 + 1)
    }

    @Test func linearRegressionConverges() throws {
        let (x, y) = lineData(seed: 1)
        var rng = RandomGenerator(seed: 1, stream: "init")
        let model = Linear(inFeatures: 1, outFeatures: 1, rng: &rng)
        let log = StepLog()
        let trainer = Trainer(epochs: 40, batchSize: 8, loss: .mse)
        let initialLoss = meanSquaredError(Variable(model.predict(x)), y).value.scalar
        let history = try TrainingProgress.observing(log.observer) { () throws(TrainingError) in
            try trainer.fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1, momentum: 0.9),
                            inputs: x, targets: y, rng: &rng)
        }
        #expect(history.count == 40)
        // The observer sees every step (8 per epoch); each epoch's last step carries its mean loss.
        let reports = log.steps.filter { $0.step == $0.stepsPerEpoch }
        #expect(log.steps.count == 40 * 8 && log.labels == ["train"])
        #expect(reports.map(\.epoch) == Array(1...40) && reports.allSatisfy { $0.epochs == 40 })
        #expect(reports.map(\.loss) == history)
        #expect(history.last! < 1e-6 * Double(max(initialLoss, 1)))
        #expect(history.last! < history.first!)
        #expect(abs(model.weight.value.scalar - 2) < 1e-3)
        #expect(abs(model.bias!.value.scalar - 1) < 1e-3)
    }

    @Test func mlpRegressionReducesLoss() throws {
        let (x, y) = lineData(seed: 2)
        var rng = RandomGenerator(seed: 2, stream: "init")
        let model = MLP(sizes: [1, 16, 16, 1], activation: .tanh, rng: &rng)
        let initialLoss = Double(meanSquaredError(Variable(model.predict(x)), y).value.scalar)
        let history = try Trainer(epochs: 30, batchSize: 16, loss: .mse)
            .fit(model, optimizer: Adam(parameters: model.parameters(), learningRate: 0.01), inputs: x, targets: y, rng: &rng)
        let finalLoss = Double(meanSquaredError(Variable(model.predict(x)), y).value.scalar)
        #expect(finalLoss < 0.05 * initialLoss, "\(initialLoss) -> \(finalLoss)")
        #expect(history.last! < 0.1 * history.first!)
    }

    @Test func sameSeedGivesBitIdenticalParameters() throws {
        func train() throws -> [[UInt32]] {
            let (x, y) = lineData(seed: 3)
            var rng = RandomGenerator(seed: 3, stream: "init")
            let model = MLP(sizes: [1, 8, 8, 1], activation: .relu, rng: &rng)
            var shuffle = RandomGenerator(seed: 3, stream: "shuffle")
            try Trainer(epochs: 5, batchSize: 10, loss: .mse)
                .fit(model, optimizer: Adam(parameters: model.parameters(), learningRate: 0.01), inputs: x, targets: y, rng: &shuffle)
            return model.parameters().map { $0.value.scalars.map(\.bitPattern) }
        }
        let first = try train(), second = try train()
        #expect(first == second)
        // And the shuffling seed matters (guards against a trainer ignoring the generator).
        let (x, y) = lineData(seed: 3)
        var rng = RandomGenerator(seed: 3, stream: "init")
        let model = MLP(sizes: [1, 8, 8, 1], activation: .relu, rng: &rng)
        var otherShuffle = RandomGenerator(seed: 4, stream: "shuffle")
        try Trainer(epochs: 5, batchSize: 10, loss: .mse)
            .fit(model, optimizer: Adam(parameters: model.parameters(), learningRate: 0.01), inputs: x, targets: y, rng: &otherShuffle)
        #expect(model.parameters().map { $0.value.scalars.map(\.bitPattern) } != first)
    }

    @Test func nanTargetsThrowNonFiniteLoss() {
        let (x, _) = lineData(seed: 4)
        let y = Tensor(repeating: .nan, shape: [64, 1])
        var rng = RandomGenerator(seed: 4)
        let model = Linear(inFeatures: 1, outFeatures: 1, rng: &rng)
        let before = model.weight.value
        let error = #expect(throws: TrainingError.self) {
            try Trainer(epochs: 3, batchSize: 16, loss: .mse)
                .fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1), inputs: x, targets: y, rng: &rng)
        }
        guard case .nonFiniteLoss(let epoch, let step, let value)? = error else { return }
        #expect(epoch == 1 && step == 1 && value.isNaN)
        // It stops before stepping with the bad loss.
        #expect(model.weight.value == before)
        #expect(error!.description.contains("diverged"))
    }

    @Test func hugeLearningRateDiverges() {
        let (x, y) = lineData(seed: 5)
        var rng = RandomGenerator(seed: 5)
        let model = MLP(sizes: [1, 8, 1], activation: .relu, rng: &rng)
        let log = StepLog()
        let error = #expect(throws: TrainingError.self) {
            try TrainingProgress.observing(log.observer) { () throws(TrainingError) in
                try Trainer(epochs: 100, batchSize: 8, loss: .mse)
                    .fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 1e6), inputs: x, targets: y, rng: &rng)
            }
        }
        guard case .nonFiniteLoss(_, _, let value)? = error else { return }
        #expect(!value.isFinite)
        #expect(log.steps.filter { $0.step == $0.stepsPerEpoch }.count < 100)
    }

    @Test func regularizerIsAddedToTheObjective() throws {
        // Loss 0 data (targets equal the model's own outputs) plus a penalty sum(w^2): only the
        // penalty drives the update, so the weight decays geometrically: w <- w (1 - 2 lr).
        let model = Linear(weight: Tensor(rows: [[0.8]]), bias: nil)
        let x = Tensor(shape: [4, 1], scalars: [0, 0, 0, 0])
        let y = Tensor(zeros: [4, 1])
        var rng = RandomGenerator(seed: 6)
        let trainer = Trainer(epochs: 3, batchSize: 4, loss: .mse, objective: .penalized(by: ParameterPenalty(terms: [.anchored(model.weight, anchor: Tensor(zeros: [1, 1]))], strength: 1)))
        let history = try trainer.fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1),
                                      inputs: x, targets: y, rng: &rng)
        #expect(history == [0, 0, 0])  // the history reports the data loss only
        #expect(abs(model.weight.value.scalar - 0.8 * 0.8 * 0.8 * 0.8) < 1e-6)
    }

    @Test func lastBatchMayBeSmallerAndZeroEpochsDoNothing() throws {
        let (x, y) = lineData(seed: 7)
        var rng = RandomGenerator(seed: 7)
        let model = Linear(inFeatures: 1, outFeatures: 1, rng: &rng)
        let before = model.weight.value
        let none = try Trainer(epochs: 0, batchSize: 10, loss: .mse)
            .fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1), inputs: x, targets: y, rng: &rng)
        #expect(none.isEmpty && model.weight.value == before)
        // 64 rows in batches of 10: 7 steps per epoch, 6 full and one of 4.
        final class CountingSGD: Optimizer {
            let parameters: [Parameter]
            var steps = 0
            init(_ parameters: [Parameter]) { self.parameters = parameters }
            func update(_ index: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, entries: TrainableEntries) {
                if index == 0 { steps += 1 }
            }
        }
        let counter = CountingSGD(model.parameters())
        try Trainer(epochs: 2, batchSize: 10, loss: .mse).fit(model, optimizer: counter, inputs: x, targets: y, rng: &rng)
        #expect(counter.steps == 14)
    }

    @Test func classificationWithCrossEntropy() throws {
        // Two separable classes by the sign of x0 + x1.
        var rng = RandomGenerator(seed: 8, stream: "data")
        let x = rng.uniformTensor(shape: [64, 2], low: -1, high: 1)
        let labels = Tensor(shape: [64, 1], generating: { x.scalars[2 * $0] + x.scalars[2 * $0 + 1] > 0 ? 1 : 0 })
        var initRNG = RandomGenerator(seed: 8, stream: "init")
        let model = MLP(sizes: [2, 8, 2], activation: .tanh, rng: &initRNG)
        let history = try Trainer(epochs: 20, batchSize: 16, loss: .crossEntropy)
            .fit(model, optimizer: Adam(parameters: model.parameters(), learningRate: 0.05), inputs: x, targets: labels, rng: &rng)
        #expect(history.last! < 0.5 * history.first!)
        let logits = model.predict(x)
        let correct = (0..<64).filter { (logits[$0, 1] > logits[$0, 0] ? 1 : 0) == Int(labels.scalars[$0]) }.count
        #expect(correct >= 58)
    }
}

/// Collects the steps a `TrainingProgress` observer sees.
final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(label: String, step: StepReport)] = []

    var observer: TrainingProgress.Observer { { [self] stage, step in lock.withLock { recorded.append((stage.name, step)) } } }
    var steps: [StepReport] { lock.withLock { recorded.map(\.step) } }
    /// The distinct labels, in order of first appearance.
    var labels: [String] { lock.withLock { recorded.map(\.label).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } } }
}
