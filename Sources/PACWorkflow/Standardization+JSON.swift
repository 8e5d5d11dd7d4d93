import Foundation
import PACIO
import PACNN

extension Standardization {
    /// JSON text for model-file metadata.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Parses `json` from model-file metadata: a JSON object with `inputMean` and `inputStd` and,
    /// for regression, `targetMean` and `targetStd` (both or neither), each a list of numbers that
    /// are finite as 32-bit floats, standard deviations at least `smallestStd`. Nothing else is
    /// accepted (no other keys, no duplicates). Lengths depend on the network, so `ModelFile`
    /// checks them.
    public init(json: String) throws(WorkflowError) {
        let form = "is not a JSON object of inputMean and inputStd (and, for mse, targetMean and targetStd) lists of numbers"
        guard let value = SafetensorsJSONValue(parsing: json), case .object(let members) = value else {
            throw WorkflowError("\(WorkflowError.quoted(json)) \(form)")
        }
        var lists: [String: [Float]] = [:]
        for (key, value) in members {
            guard Self.keys.contains(key) else {
                throw WorkflowError("has the unknown key \(WorkflowError.quoted(key)) (it holds inputMean, inputStd, targetMean and targetStd)")
            }
            if case .null = value, key.hasPrefix("target") { continue }
            guard case .array(let elements) = value else { throw WorkflowError("\(key) is not a list of numbers") }
            var numbers: [Float] = []
            numbers.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                guard case .number(let text) = element, let number = Float(text) else {
                    throw WorkflowError("\(key)[\(index)] is not a number")
                }
                guard number.isFinite else { throw WorkflowError("\(key)[\(index)] is \(WorkflowError.shown(text)), which is not a finite 32-bit float") }
                if key.hasSuffix("Std") && !(number >= Self.smallestStd) {
                    throw WorkflowError("\(key)[\(index)] is \(WorkflowError.shown(text)), but a standard deviation is at least \(Self.smallestStd)")
                }
                numbers.append(number)
            }
            lists[key] = numbers
        }
        guard let inputMean = lists["inputMean"], let inputStd = lists["inputStd"] else {
            throw WorkflowError("has no \(lists["inputMean"] == nil ? "inputMean" : "inputStd")")
        }
        let targetMean = lists["targetMean"], targetStd = lists["targetStd"]
        guard (targetMean == nil) == (targetStd == nil) else {
            throw WorkflowError("has \(targetMean == nil ? "targetStd without targetMean" : "targetMean without targetStd")")
        }
        self.init(inputMean: inputMean, inputStd: inputStd, targetMean: targetMean, targetStd: targetStd)
    }

    private static let keys: Set<String> = ["inputMean", "inputStd", "targetMean", "targetStd"]
}
