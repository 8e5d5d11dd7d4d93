import Foundation
import PACIO

/// Names of the label columns of a .npy file, read from a text file with one name per line
/// (for example CelebA's attribute names), since .npy arrays carry no column names.
enum ColumnNames {
    /// The names in `path`: one per non-blank line, trimmed; exactly `count` of them, all
    /// distinct and without commas (they become CSV header fields).
    static func read(path: String, count: Int, labelsPath: String) throws(WorkflowError) -> [String] {
        let data: Data
        do { data = try DataFileReader.contents(atPath: path) } catch { throw WorkflowError(error) }
        guard let text = String(data: data, encoding: .utf8) else { throw WorkflowError("\(path): names file is not UTF-8 text") }
        var names: [String] = []
        var lineOf: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let name = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else { continue }
            guard !name.contains(",") && !name.contains("\"") else {
                throw WorkflowError("\(path):\(index + 1): name '\(name)' contains a comma or quote")
            }
            if let first = lineOf[name] {
                throw WorkflowError("\(path):\(index + 1): duplicate name '\(name)' (first on line \(first))")
            }
            lineOf[name] = index + 1
            names.append(name)
        }
        guard names.count == count else {
            throw WorkflowError("\(path) names \(names.count) columns, but \(labelsPath) has \(count)")
        }
        return names
    }
}
