import Foundation
import PACNN

extension Standardization {
    /// JSON text for model-file metadata.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Parses `json` from model-file metadata.
    public init(json: String) throws(WorkflowError) {
        do { self = try JSONDecoder().decode(Standardization.self, from: Data(json.utf8)) } catch {
            throw WorkflowError("standardization metadata is malformed")
        }
    }
}
