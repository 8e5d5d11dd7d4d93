import PACEngine
import PACNN
@testable import PACWorkflow
import Testing

/// `--validation`: a seeded hold-out that reports a validation score and never trains.
struct ValidationSplitTests {
    static let options = TrainingOptions(epochs: 3, batchSize: 16, learningRate: 1e-2, seed: 5, validation: 0.25)

    @Test func heldOutRowsAreScoredSeparately() throws {
        let data = regressionData(rows: 64)
        let (_, report) = try Workflow.train(data: data, architecture: tinyArchitecture, loss: .mse, options: Self.options, standardize: true)
        let validation = try #require(report.validation)
        #expect(validation.samples == 16)
        #expect(report.training.samples == 48)
        #expect(validation.metric == "rmse")
        #expect(validation.value.isFinite && validation.value > 0)

        let (_, none) = try Workflow.train(data: data, architecture: tinyArchitecture, loss: .mse,
                                           options: TrainingOptions(epochs: 1, batchSize: 16), standardize: false)
        #expect(none.validation == nil)
        #expect(none.training.samples == 64)
    }

    @Test func splitIsAPartitionOfTheRows() throws {
        // Row i has input i, so the split's rows can be identified.
        let rows = 40
        let data = LabeledData(inputs: Tensor(shape: [rows, 1], scalars: (0..<rows).map(Float.init)),
                               targets: Tensor(shape: [rows, 1], scalars: (0..<rows).map { Float($0 * 2) }),
                               featureNames: ["i"], targetNames: ["t"])
        let (fit, held) = try Workflow.split(data, Self.options)
        let validation = try #require(held)
        let fitRows = fit.inputs.scalars.map(Int.init), heldRows = validation.inputs.scalars.map(Int.init)
        #expect(heldRows.count == 10 && fitRows.count == 30)
        #expect(Set(fitRows).isDisjoint(with: heldRows))
        #expect(Set(fitRows + heldRows) == Set(0..<rows))
        // Targets travel with their rows.
        #expect(validation.targets.scalars == heldRows.map { Float($0 * 2) })
        #expect(heldRows != Array(heldRows).sorted() || heldRows != Array(0..<10), "the hold-out should be shuffled, not the first rows")
    }

    @Test func splitAndScoresAreDeterministicForASeed() throws {
        let data = regressionData(rows: 64)
        let first = try Workflow.train(data: data, architecture: tinyArchitecture, loss: .mse, options: Self.options, standardize: true)
        let second = try Workflow.train(data: data, architecture: tinyArchitecture, loss: .mse, options: Self.options, standardize: true)
        #expect(first.1.validation == second.1.validation)
        #expect(first.1.training == second.1.training)
        #expect(parameterBits(first.0.network) == parameterBits(second.0.network))

        var other = Self.options
        other.seed = 6
        let (fitA, heldA) = try Workflow.split(data, Self.options)
        let (_, heldB) = try Workflow.split(data, other)
        #expect(heldA?.inputs.scalars != heldB?.inputs.scalars, "another seed holds out other rows")
        // Standardization sees only the training rows.
        #expect(first.0.standardization == Standardization(inputs: fitA.inputs, targets: fitA.targets))
    }
}
