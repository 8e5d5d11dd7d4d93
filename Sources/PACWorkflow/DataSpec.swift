import Foundation
import PACEngine
import PACIO
import PACNN

/// Where a labelled data set comes from and how to read it.
///
/// CSV: a header row; `targets` names the target columns and `features` the inputs (default:
/// every other column). NPY: `path` holds the features (`N x F`, or `N x ...` flattened) and
/// `labelsPath` the targets (`N` or `N x T`).
public struct DataSpec: Sendable {
    public var path: String
    public var labelsPath: String?
    public var features: [String]?
    public var targets: [String]
    public var loss: Loss

    public init(path: String, labelsPath: String? = nil, features: [String]? = nil, targets: [String], loss: Loss) {
        self.path = path
        self.labelsPath = labelsPath
        self.features = features
        self.targets = targets
        self.loss = loss
    }

    /// True for `.npy` inputs.
    public var isNPY: Bool { path.lowercased().hasSuffix(".npy") }
}

/// Features and targets read from files, checked for what training needs.
public struct LabeledData: Sendable {
    public let inputs: Tensor
    /// `[N, T]` regression or 0/1 targets; `[N, 1]` class indices for cross-entropy.
    public let targets: Tensor
    public let featureNames: [String]
    public let targetNames: [String]
    /// The data file (features) and, for NPY, the labels file, as the user named them; for
    /// error messages. `nil` for data built in memory.
    public var path: String? = nil
    public var labelsPath: String? = nil

    public var count: Int { inputs.shape[0] }
    public var dataset: Dataset { Dataset(inputs: inputs, targets: targets) }

    /// Reads and validates a data set: numeric and finite everywhere, non-constant targets,
    /// integer class labels for `ce`, 0/1 labels for `bce`.
    public static func load(_ spec: DataSpec) throws(WorkflowError) -> LabeledData {
        do {
            return spec.isNPY ? try loadNPY(spec) : try loadCSV(spec)
        } catch let error as DataError {
            throw WorkflowError(error)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError("\(spec.path): \(error)")
        }
    }

    /// Reads only the feature columns (for prediction); targets, if present, are ignored.
    public static func loadFeatures(path: String, features: [String]?, excluding: [String]) throws(WorkflowError) -> (Tensor, [String]) {
        do {
            if path.lowercased().hasSuffix(".npy") {
                let array = try NPYArray.read(path: path)
                try array.checkFinite()
                let x = try matrix(array)
                return (x, (0..<x.shape[1]).map { "x\($0)" })
            }
            let table = try CSVTable.read(path: path)
            let names = features ?? table.columns.filter { !excluding.contains($0) }
            return (try table.matrix(columns: names), names)
        } catch let error as DataError {
            throw WorkflowError(error)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError("\(path): \(error)")
        }
    }

    private static func loadCSV(_ spec: DataSpec) throws -> LabeledData {
        let table = try CSVTable.read(path: spec.path)
        guard !spec.targets.isEmpty else { throw WorkflowError("\(spec.path): no target column given (use --targets)") }
        for name in spec.targets where !table.columns.contains(name) {
            throw DataError.unknownColumn(path: spec.path, name: name, available: table.columns)
        }
        let features = spec.features ?? table.columns.filter { !spec.targets.contains($0) }
        guard !features.isEmpty else { throw WorkflowError("\(spec.path): no feature columns left besides the targets") }
        if let overlap = features.first(where: { spec.targets.contains($0) }) {
            throw WorkflowError("\(spec.path): column '\(overlap)' is both a feature and a target")
        }
        let inputs = try table.matrix(columns: features)
        let targets: Tensor
        switch spec.loss {
        case .crossEntropy:
            guard spec.targets.count == 1 else { throw WorkflowError("\(spec.path): --loss ce needs exactly one class column, got \(spec.targets.count)") }
            let labels = try table.classLabels(spec.targets[0])
            if let negative = labels.firstIndex(where: { $0 < 0 }) {
                throw WorkflowError("\(try table.location(row: negative, column: spec.targets[0])): class label \(labels[negative]) is negative")
            }
            targets = Tensor(shape: [labels.count, 1], scalars: labels.map(Float.init))
        case .mse, .bce:
            targets = try table.matrix(columns: spec.targets)
        }
        for (index, name) in spec.targets.enumerated() {
            let column = targets.slice(axis: 1, index..<(index + 1))
            try checkTargetColumn(column, loss: spec.loss) { row in try table.location(row: row, column: name) }
        }
        return LabeledData(inputs: inputs, targets: targets, featureNames: features, targetNames: spec.targets, path: spec.path)
    }

    private static func loadNPY(_ spec: DataSpec) throws -> LabeledData {
        guard let labelsPath = spec.labelsPath else {
            throw WorkflowError("\(spec.path): NumPy features need their targets in a second file (use --labels targets.npy)")
        }
        let featuresArray = try NPYArray.read(path: spec.path)
        try featuresArray.checkFinite()
        let labelsArray = try NPYArray.read(path: labelsPath)
        try labelsArray.checkFinite()
        let inputs = try matrix(featuresArray)
        guard let rows = labelsArray.shape.first, labelsArray.shape.count <= 2 else {
            throw DataError.unexpectedShape(path: labelsPath, shape: labelsArray.shape, expected: "an N or N x T array")
        }
        guard rows == inputs.shape[0] else {
            throw DataError.shapeMismatch(path: spec.path, rows: inputs.shape[0], otherPath: labelsPath, otherRows: rows)
        }
        let width = labelsArray.shape.count == 2 ? labelsArray.shape[1] : 1
        let targets: Tensor
        if spec.loss == .crossEntropy {
            guard width == 1 else { throw DataError.unexpectedShape(path: labelsPath, shape: labelsArray.shape, expected: "one class label per row for --loss ce") }
            let labels = try labelsArray.integers()
            if let negative = labels.firstIndex(where: { $0 < 0 }) {
                throw WorkflowError("\(labelsArray.location(ofElement: negative)): class label \(labels[negative]) is negative")
            }
            targets = Tensor(shape: [rows, 1], scalars: labels.map(Float.init))
        } else {
            targets = labelsArray.tensor().reshaped(to: [rows, width])
        }
        let names = spec.targets.count == width ? spec.targets : (0..<width).map { "y\($0)" }
        for index in 0..<width {
            try checkTargetColumn(targets.slice(axis: 1, index..<(index + 1)), loss: spec.loss) { row in
                labelsArray.location(ofElement: row * width + index)
            }
        }
        return LabeledData(inputs: inputs, targets: targets, featureNames: (0..<inputs.shape[1]).map { "x\($0)" }, targetNames: names,
                           path: spec.path, labelsPath: labelsPath)
    }

    /// `N x ...` arrays as `N x F` matrices.
    private static func matrix(_ array: NPYArray) throws -> Tensor {
        guard array.shape.count >= 2, array.shape[0] > 0 else {
            throw DataError.unexpectedShape(path: array.path, shape: array.shape, expected: "an N x F array with N > 0")
        }
        let tensor = array.tensor()
        return tensor.reshaped(to: [array.shape[0], tensor.count / array.shape[0]])
    }

    private static func checkTargetColumn(_ column: Tensor, loss: Loss, location: (Int) throws -> DataLocation) throws {
        let values = column.scalars
        if loss == .bce, let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw WorkflowError("\(try location(bad)): label \(values[bad]) is not 0 or 1 (--loss bce)")
        }
        if let first = values.first, values.allSatisfy({ $0 == first }) {
            var whole = try location(0)
            whole = DataLocation(path: whole.path, columnName: whole.columnName)
            throw DataError.constantTarget(whole, value: Double(first))
        }
    }
}
