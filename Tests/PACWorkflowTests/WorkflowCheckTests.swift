import Foundation
import PACEngine
import PACIO
import PACNN
@testable import PACWorkflow
import Testing

/// `Workflow.check`: data and architecture must agree before any training starts.
struct WorkflowCheckTests {
    @Test func featureWidthMustMatchTheInputs() throws {
        let data = regressionData(rows: 8)
        let error = workflowError { try Workflow.check(data, fits: Architecture(sizes: [4, 8, 1], activation: .relu), loss: .mse) }
        #expect(error?.description == "architecture mlp:4-8-1:relu takes 4 inputs, but the data has 3 feature columns (a, b, c)")
        // The public stages check the same way.
        let train = workflowError {
            try Workflow.train(data: data, architecture: Architecture(sizes: [4, 8, 1], activation: .relu), loss: .mse,
                               options: TrainingOptions(epochs: 1, batchSize: 4), standardize: false)
        }
        #expect(train == error)
    }

    @Test func manyFeatureNamesAreAbbreviated() throws {
        let names = (0..<10).map { "f\($0)" }
        let data = LabeledData(inputs: Tensor(zeros: [2, 10]), targets: Tensor(shape: [2, 1], scalars: [0, 1]), featureNames: names, targetNames: ["y"])
        let error = workflowError { try Workflow.check(data, fits: Architecture(sizes: [3, 1], activation: .relu), loss: .mse) }
        #expect(error?.description == "architecture mlp:3-1:relu takes 3 inputs, but the data has 10 feature columns (f0, f1, f2, f3, f4, f5, f6, f7, ...)")
    }

    @Test func outputWidthMustMatchTheTargets() throws {
        let error = workflowError { try Workflow.check(regressionData(rows: 8), fits: Architecture(sizes: [3, 8, 2], activation: .relu), loss: .mse) }
        #expect(error?.description == "architecture mlp:3-8-2:relu has 2 outputs, but the data has 1 target columns")
        let bce = workflowError { try Workflow.check(regressionData(rows: 8), fits: Architecture(sizes: [3, 8, 2], activation: .relu), loss: .bce) }
        #expect(bce == error)
    }

    @Test func classLabelsMustBeBelowTheOutputWidth() throws {
        let data = LabeledData(inputs: Tensor(zeros: [4, 3]), targets: Tensor(shape: [4, 1], scalars: [0, 3, 1, 2]),
                               featureNames: ["a", "b", "c"], targetNames: ["class"])
        let error = workflowError { try Workflow.check(data, fits: Architecture(sizes: [3, 8, 3], activation: .relu), loss: .crossEntropy) }
        #expect(error?.description == "architecture mlp:3-8-3:relu has 3 outputs (classes 0...2), but the data has class 3")
        // Four outputs hold classes 0...3; a 1-column class target does not need a 1-wide output.
        try Workflow.check(data, fits: Architecture(sizes: [3, 8, 4], activation: .relu), loss: .crossEntropy)
    }

    @Test func messagesNameTheDataFiles() throws {
        try withScratchDirectory { directory in
            let csv = try writeFile("a,b,c,label\n1,2,3,0\n4,5,6,5\n", "classes.csv", in: directory)
            let data = try LabeledData.load(DataSpec(path: csv, targets: ["label"], loss: .crossEntropy))
            let wide = workflowError { try Workflow.check(data, fits: Architecture(sizes: [4, 6], activation: .relu), loss: .crossEntropy) }
            #expect(wide?.description == "architecture mlp:4-6:relu takes 4 inputs, but \(csv) has 3 feature columns (a, b, c)")
            let classes = workflowError { try Workflow.check(data, fits: Architecture(sizes: [3, 5], activation: .relu), loss: .crossEntropy) }
            #expect(classes?.description == "architecture mlp:3-5:relu has 5 outputs (classes 0...4), but \(csv) has class 5")

            let x = try writeFile(NPYArray.encode(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])), "x.npy", in: directory)
            let y = try writeFile(NPYArray.encode(Tensor(shape: [2, 2], scalars: [1, 2, 3, 5])), "y.npy", in: directory)
            let npy = try LabeledData.load(DataSpec(path: x, labelsPath: y, targets: [], loss: .mse))
            let targets = workflowError { try Workflow.check(npy, fits: Architecture(sizes: [3, 1], activation: .relu), loss: .mse) }
            #expect(targets?.description == "architecture mlp:3-1:relu has 1 outputs, but \(y) has 2 target columns")
        }
    }
}
