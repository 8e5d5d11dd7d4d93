import Foundation
import PACEngine
import PACIO
import PACNN
import PACWorkflow
import Testing

/// `LabeledData.load`: which columns become features and targets, and what data it refuses.
struct DataLoadingTests {
    static let csv = """
        a,y,b,c
        1,10,2,3
        4,20,5,6
        7,30,8,9

        """

    @Test func featuresDefaultToEveryNonTargetColumnInFileOrder() throws {
        try withScratchDirectory { directory in
            let path = try writeFile(Self.csv, "data.csv", in: directory)
            let data = try LabeledData.load(DataSpec(path: path, targets: ["y"], loss: .mse))
            #expect(data.featureNames == ["a", "b", "c"])
            #expect(data.targetNames == ["y"])
            #expect(data.count == 3)
            #expect(data.inputs.shape == [3, 3])
            #expect(data.inputs.scalars == [1, 2, 3, 4, 5, 6, 7, 8, 9])
            #expect(data.targets.shape == [3, 1])
            #expect(data.targets.scalars == [10, 20, 30])
        }
    }

    @Test func explicitFeaturesKeepTheirOrder() throws {
        try withScratchDirectory { directory in
            let path = try writeFile(Self.csv, "data.csv", in: directory)
            let data = try LabeledData.load(DataSpec(path: path, features: ["c", "a"], targets: ["y"], loss: .mse))
            #expect(data.featureNames == ["c", "a"])
            #expect(data.inputs.shape == [3, 2])
            #expect(data.inputs.scalars == [3, 1, 6, 4, 9, 7])
        }
    }

    @Test func severalRegressionTargets() throws {
        try withScratchDirectory { directory in
            let path = try writeFile(Self.csv, "data.csv", in: directory)
            let data = try LabeledData.load(DataSpec(path: path, targets: ["c", "y"], loss: .mse))
            #expect(data.featureNames == ["a", "b"])
            #expect(data.targets.shape == [3, 2])
            #expect(data.targets.scalars == [3, 10, 6, 20, 9, 30])
        }
    }

    @Test func crossEntropyLabelsAreClassIndices() throws {
        try withScratchDirectory { directory in
            let path = try writeFile("x1,x2,label\n0.5,1,2\n0.1,2,0\n-3,3,1.0\n0,4,2\n", "classes.csv", in: directory)
            let data = try LabeledData.load(DataSpec(path: path, targets: ["label"], loss: .crossEntropy))
            #expect(data.targets.shape == [4, 1])
            #expect(data.targets.scalars == [2, 0, 1, 2])
            #expect(data.featureNames == ["x1", "x2"])
        }
    }

    @Test func crossEntropyNeedsExactlyOneClassColumn() throws {
        try withScratchDirectory { directory in
            let path = try writeFile(Self.csv, "data.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: path, targets: ["y", "c"], loss: .crossEntropy)) }
            #expect(error?.description == "\(path): --loss ce needs exactly one class column, got 2")
        }
    }

    @Test func binaryCrossEntropyAcceptsOnlyZerosAndOnes() throws {
        try withScratchDirectory { directory in
            let good = try writeFile("x,p,q\n1,0,1\n2,1,1\n3,1,0\n", "good.csv", in: directory)
            let data = try LabeledData.load(DataSpec(path: good, targets: ["p", "q"], loss: .bce))
            #expect(data.targets.shape == [3, 2])
            #expect(data.targets.scalars == [0, 1, 1, 1, 1, 0])

            let bad = try writeFile("x,p,q\n1,0,1\n2,1,1\n3,1,2\n", "bad.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: bad, targets: ["p", "q"], loss: .bce)) }
            #expect(error?.description == "\(bad):4:3 (column 'q'): label 2.0 is not 0 or 1 (--loss bce)")
        }
    }

    @Test func numpyFeaturesAndLabels() throws {
        try withScratchDirectory { directory in
            // N x 2 x 2 features are flattened to N x 4.
            let x = Tensor(shape: [3, 2, 2], scalars: (0..<12).map(Float.init))
            let features = try writeFile(NPYArray.encode(x), "x.npy", in: directory)
            let regression = try writeFile(NPYArray.encode(Tensor(shape: [3], scalars: [1, 2, 4])), "y.npy", in: directory)
            let data = try LabeledData.load(DataSpec(path: features, labelsPath: regression, targets: [], loss: .mse))
            #expect(data.inputs.shape == [3, 4])
            #expect(data.inputs.scalars == x.scalars)
            #expect(data.targets.shape == [3, 1])
            #expect(data.targets.scalars == [1, 2, 4])
            #expect(data.featureNames == ["x0", "x1", "x2", "x3"])
            #expect(data.targetNames == ["y0"])

            let classes = try writeFile(NPYArray.encode(integers: [2, 0, 1], shape: [3]), "classes.npy", in: directory)
            let labelled = try LabeledData.load(DataSpec(path: features, labelsPath: classes, targets: ["digit"], loss: .crossEntropy))
            #expect(labelled.targets.shape == [3, 1])
            #expect(labelled.targets.scalars == [2, 0, 1])
            #expect(labelled.targetNames == ["digit"])

            let multi = try writeFile(NPYArray.encode(Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1])), "multi.npy", in: directory)
            let binary = try LabeledData.load(DataSpec(path: features, labelsPath: multi, targets: [], loss: .bce))
            #expect(binary.targets.shape == [3, 2])
            #expect(binary.targetNames == ["y0", "y1"])
        }
    }

    @Test func numpyFeaturesNeedALabelsFile() throws {
        try withScratchDirectory { directory in
            let features = try writeFile(NPYArray.encode(Tensor(zeros: [3, 2])), "x.npy", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: features, targets: [], loss: .mse)) }
            #expect(error?.description.hasPrefix("\(features): NumPy features need their targets in a second file") == true)
        }
    }

    @Test func numpyRowCountsMustMatch() throws {
        try withScratchDirectory { directory in
            let features = try writeFile(NPYArray.encode(Tensor(zeros: [4, 2])), "x.npy", in: directory)
            let labels = try writeFile(NPYArray.encode(Tensor(shape: [3], scalars: [1, 2, 3])), "y.npy", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: features, labelsPath: labels, targets: [], loss: .mse)) }
            let expected = DataError.shapeMismatch(path: features, rows: 4, otherPath: labels, otherRows: 3).description
            #expect(error?.description == expected)
            #expect(expected.contains(features) && expected.contains(labels))
        }
    }

    @Test func constantTargetIsRefused() throws {
        try withScratchDirectory { directory in
            let path = try writeFile("a,y\n1,5\n2,5\n3,5\n", "flat.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: path, targets: ["y"], loss: .mse)) }
            #expect(error?.description == "\(path) (column 'y'): target is constant (every value is 5.0); nothing to learn")

            let features = try writeFile(NPYArray.encode(Tensor(zeros: [3, 2])), "x.npy", in: directory)
            let labels = try writeFile(NPYArray.encode(Tensor(repeating: 1, shape: [3])), "y.npy", in: directory)
            let npyError = workflowError { try LabeledData.load(DataSpec(path: features, labelsPath: labels, targets: [], loss: .mse)) }
            #expect(npyError?.description.hasPrefix("\(labels)") == true, "\(String(describing: npyError))")
            #expect(npyError?.description.contains("target is constant") == true)
        }
    }

    @Test func classLabelsMustBeIntegers() throws {
        try withScratchDirectory { directory in
            let path = try writeFile("a,label\n1,0\n2,1.5\n3,2\n", "labels.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: path, targets: ["label"], loss: .crossEntropy)) }
            #expect(error?.description == "\(path):3:2 (column 'label'): class label 1.5 is not an integer")

            let features = try writeFile(NPYArray.encode(Tensor(zeros: [3, 2])), "x.npy", in: directory)
            let labels = try writeFile(NPYArray.encode(Tensor(shape: [3], scalars: [0, 1, 0.25])), "y.npy", in: directory)
            let npyError = workflowError { try LabeledData.load(DataSpec(path: features, labelsPath: labels, targets: [], loss: .crossEntropy)) }
            #expect(npyError?.description == "\(labels) (element [2]): class label 0.25 is not an integer")
        }
    }

    @Test func classLabelsMustNotBeNegative() throws {
        try withScratchDirectory { directory in
            let path = try writeFile("a,label\n1,0\n2,1\n3,-1\n", "labels.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: path, targets: ["label"], loss: .crossEntropy)) }
            #expect(error?.description == "\(path):4:2 (column 'label'): class label -1 is negative")

            let features = try writeFile(NPYArray.encode(Tensor(zeros: [3, 2])), "x.npy", in: directory)
            let labels = try writeFile(NPYArray.encode(integers: [0, -2, 1], shape: [3]), "y.npy", in: directory)
            let npyError = workflowError { try LabeledData.load(DataSpec(path: features, labelsPath: labels, targets: [], loss: .crossEntropy)) }
            #expect(npyError?.description == "\(labels) (element [1]): class label -2 is negative")
        }
    }

    @Test func aTargetCannotAlsoBeAFeature() throws {
        try withScratchDirectory { directory in
            let path = try writeFile(Self.csv, "data.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: path, features: ["a", "y"], targets: ["y"], loss: .mse)) }
            #expect(error?.description == "\(path): column 'y' is both a feature and a target")
        }
    }

    @Test func unknownTargetColumnListsTheAvailableOnes() throws {
        try withScratchDirectory { directory in
            let path = try writeFile(Self.csv, "data.csv", in: directory)
            let error = workflowError { try LabeledData.load(DataSpec(path: path, targets: ["price"], loss: .mse)) }
            #expect(error?.description == "\(path): no column named 'price' (available: 'a', 'y', 'b', 'c')")
        }
    }
}
