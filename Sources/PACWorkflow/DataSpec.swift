import Foundation
import PACEngine
import PACIO
import PACNN

/// Where a labelled data set comes from and how to read it.
///
/// CSV: a header row; `targets` names the target columns and `features` the inputs (default:
/// every other column). NPY: `path` holds the features (`N x F`, or `N x ...` flattened) or
/// uint8 images (`N x H x W x C`, see `InputLayout`), and `labelsPath` the targets (`N` or
/// `N x T`), named by `targets` or by the lines of `namesPath`.
public struct DataSpec: Sendable {
    public var path: String
    public var labelsPath: String?
    public var features: [String]?
    public var targets: [String]
    public var loss: Loss
    /// How a .npy features file is read.
    public var layout: InputLayout
    /// A text file naming the .npy label columns, one name per line.
    public var namesPath: String?
    /// Columns left out of the default features (ids, names), with `features` not given.
    public var excluded: [String] = []
    /// Training data: every target column must vary (a constant target teaches nothing) and every
    /// value must be small enough for Float32 training arithmetic. Scoring data need neither.
    public var forTraining = true

    public init(path: String, labelsPath: String? = nil, features: [String]? = nil, targets: [String], loss: Loss,
                layout: InputLayout = .features, namesPath: String? = nil) {
        self.path = path
        self.labelsPath = labelsPath
        self.features = features
        self.targets = targets
        self.loss = loss
        self.layout = layout
        self.namesPath = namesPath
    }

    /// True for `.npy` inputs.
    public var isNPY: Bool { path.lowercased().hasSuffix(".npy") }
}

/// What a .npy inputs file holds.
public enum InputLayout: Sendable, Equatable {
    /// Feature rows: `N x F`, or `N x ...` flattened to `N x F`.
    case features
    /// uint8 images `N x H x W x C` (channels last, as NumPy and PIL store them), fed to the
    /// network as `[N, C, H, W]` Float32 pixels scaled to [0, 1].
    case images
    /// Images when the array has rank 4, feature rows otherwise.
    case byRank

    /// The layout an architecture takes.
    public init(for architecture: Architecture) { self = architecture.takesImages ? .images : .features }

    func readsImages(_ array: NPYArray) -> Bool { self == .images || (self == .byRank && array.shape.count == 4) }
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
    /// The size of image inputs (`[N, C, H, W]`), nil for feature rows.
    public var imageSize: ImageSize? { ImageSize(inputs: inputs) }
    public var dataset: Dataset { Dataset(inputs: inputs, targets: targets) }

    /// The sorted values of a single target column that looks like class labels (2 to 20
    /// distinct non-negative integers, each on average at least twice), else nil: a hint that
    /// a regression was asked for where a classification was meant.
    public var classLikeValues: [Int]? {
        guard targets.rank == 2, targets.shape[1] == 1 else { return nil }
        var distinct = Set<Float>()
        for value in targets.scalars {
            guard value >= 0, value == value.rounded(), value < 1e6 else { return nil }
            distinct.insert(value)
            if distinct.count > 20 { return nil }
        }
        guard distinct.count >= 2, count >= 2 * distinct.count else { return nil }
        return distinct.sorted().map { Int($0) }
    }

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

    /// Reads only the inputs (for prediction); targets, if present, are ignored.
    public static func loadFeatures(path: String, features: [String]?, excluding: [String],
                                    layout: InputLayout = .features) throws(WorkflowError) -> (Tensor, [String]) {
        do {
            if path.lowercased().hasSuffix(".npy") {
                let array = try NPYArray.read(path: path)
                let x = try inputs(array, layout: layout)
                return (x, featureNames(x))
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
        if let namesPath = spec.namesPath {
            throw WorkflowError("\(namesPath): a names file names .npy label columns; \(spec.path) names its columns in its header")
        }
        if let labelsPath = spec.labelsPath {
            throw WorkflowError("\(labelsPath): a labels file goes with .npy features; \(spec.path) is a CSV file whose header names its target columns")
        }
        let table = try CSVTable.read(path: spec.path)
        guard !spec.targets.isEmpty else { throw WorkflowError("\(spec.path): no target column given (use --targets)") }
        for name in spec.targets + spec.excluded + (spec.features ?? []) where !table.columns.contains(name) {
            throw DataError.unknownColumn(path: spec.path, name: name, available: table.columns)
        }
        let features = spec.features ?? table.columns.filter { !spec.targets.contains($0) && !spec.excluded.contains($0) }
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
            try checkTargetColumn(column, spec) { row in try table.location(row: row, column: name) }
        }
        if spec.forTraining {
            for (matrix, names) in [(inputs, features), (targets, spec.targets)] {
                try checkMagnitudes(matrix) { row, column in try table.location(row: row, column: names[column]) }
            }
        }
        return LabeledData(inputs: inputs, targets: targets, featureNames: features, targetNames: spec.targets, path: spec.path)
    }

    private static func loadNPY(_ spec: DataSpec) throws -> LabeledData {
        guard let labelsPath = spec.labelsPath else {
            throw WorkflowError("\(spec.path): NumPy features need their targets in a second file (use --labels targets.npy)")
        }
        let inputsArray = try NPYArray.read(path: spec.path)
        let inputs = try inputs(inputsArray, layout: spec.layout)
        if spec.forTraining && inputs.rank == 2 {
            try checkMagnitudes(inputs) { row, column in inputsArray.location(ofElement: row * inputs.shape[1] + column) }
        }
        let labelsArray = try NPYArray.read(path: labelsPath)
        try labelsArray.checkFinite()
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
        let names: [String]
        if let namesPath = spec.namesPath {
            names = try ColumnNames.read(path: namesPath, count: width, labelsPath: labelsPath)
        } else {
            names = spec.targets.count == width ? spec.targets : (0..<width).map { "y\($0)" }
        }
        for index in 0..<width {
            try checkTargetColumn(targets.slice(axis: 1, index..<(index + 1)), spec) { row in
                var location = labelsArray.location(ofElement: row * width + index)
                if width > 1 { location.columnName = names[index] }
                return location
            }
        }
        return LabeledData(inputs: inputs, targets: targets, featureNames: featureNames(inputs), targetNames: names,
                           path: spec.path, labelsPath: labelsPath)
    }

    /// The network inputs an inputs array holds: images or feature rows, as `layout` says.
    private static func inputs(_ array: NPYArray, layout: InputLayout) throws -> Tensor {
        if layout.readsImages(array) { return try array.channelsFirstImages() }
        try array.checkFinite()
        return try matrix(array)
    }

    /// `x0`, `x1`, ... for the columns of feature rows; none for images.
    private static func featureNames(_ inputs: Tensor) -> [String] {
        inputs.rank == 2 ? (0..<inputs.shape[1]).map { "x\($0)" } : []
    }

    /// `N x ...` arrays as `N x F` matrices.
    private static func matrix(_ array: NPYArray) throws -> Tensor {
        guard array.shape.count >= 2, array.shape[0] > 0 else {
            throw DataError.unexpectedShape(path: array.path, shape: array.shape, expected: "an N x F array with N > 0")
        }
        let tensor = array.tensor()
        return tensor.reshaped(to: [array.shape[0], tensor.count / array.shape[0]])
    }

    /// The largest magnitude training accepts: squares and sums of squares of such values stay
    /// far inside Float32's range (3.4e38); larger ones overflow into a "diverged" run.
    public static let largestTrainingMagnitude: Float = 1e15

    /// Throws for the first value above `largestTrainingMagnitude`, naming where it is.
    private static func checkMagnitudes(_ matrix: Tensor, location: (Int, Int) throws -> DataLocation) throws {
        let width = matrix.shape[1]
        guard let flat = matrix.scalars.firstIndex(where: { abs($0) > largestTrainingMagnitude }) else { return }
        throw WorkflowError("\(try location(flat / width, flat % width)): value \(matrix.scalars[flat]) is too large to train on (magnitudes above 1e15 overflow Float32 arithmetic); rescale the column")
    }

    private static func checkTargetColumn(_ column: Tensor, _ spec: DataSpec, location: (Int) throws -> DataLocation) throws {
        let values = column.scalars
        if spec.loss == .bce, let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw WorkflowError("\(try location(bad)): label \(values[bad]) is not 0 or 1 (--loss bce)")
        }
        if spec.forTraining, let first = values.first, values.allSatisfy({ $0 == first }) {
            var whole = try location(0)
            whole = DataLocation(path: whole.path, columnName: whole.columnName)
            throw DataError.constantTarget(whole, value: Double(first))
        }
    }
}
