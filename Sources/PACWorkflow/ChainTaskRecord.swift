import PACIO
import PACNet

/// A target added to a calibrated model after its first target (`pacnet calibrate --task`),
/// as a model file records it in the `pacnet.chain` metadata (a JSON list, in task order).
public struct ChainTaskRecord: Sendable, Equatable {
    public var name: String
    /// The task's output (or class) column names, when trained from named columns.
    public var targets: [String]?
    public var lambda: PenaltyStrength
    /// The calibration learning rate, when given or selected.
    public var learningRate: LearningRate?
    public var freedom: TargetFreedom

    public init(name: String, targets: [String]?, lambda: PenaltyStrength, learningRate: LearningRate?, freedom: TargetFreedom) {
        self.name = name
        self.targets = targets
        self.lambda = lambda
        self.learningRate = learningRate
        self.freedom = freedom
    }

    /// Names given to tasks: 1-64 letters, digits, `-` or `_`, and none of the names the file
    /// format uses itself (`source`, `target`, and the tensor suffixes `mask` and `task`).
    public static func checkName(_ name: String) throws(WorkflowError) {
        let allowed = name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }
        guard (1...64).contains(name.count), allowed else {
            throw WorkflowError("task name \(WorkflowError.quoted(name)) must be 1-64 letters, digits, '-' or '_'")
        }
        guard !reservedNames.contains(name) else {
            throw WorkflowError("task name \(WorkflowError.quoted(name)) is reserved (\(reservedNames.joined(separator: ", ")))")
        }
    }

    static let reservedNames = ["source", "target", "mask", "task"]

    /// The record as a JSON object with keys in a fixed order.
    var json: String {
        var fields = ["\"name\":\(JSONString.quoted(name))"]
        if let targets { fields.append("\"targets\":[" + targets.map(JSONString.quoted).joined(separator: ",") + "]") }
        fields.append("\"lambda\":\(lambda)")
        if let learningRate { fields.append("\"learning_rate\":\(learningRate)") }
        fields.append("\"freedom\":\(JSONString.quoted(freedom.rawValue))")
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func json(_ records: [ChainTaskRecord]) -> String { "[" + records.map(\.json).joined(separator: ",") + "]" }
}
