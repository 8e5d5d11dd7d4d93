import PACIO
import Foundation
import PACBenchmarks
import PACWorkflow

/// A value in a command's summary.
enum SummaryValue {
    case text(String)
    case integer(Int)
    case number(Double?)

    var text: String {
        switch self {
        case .text(let s): s
        case .integer(let i): "\(i)"
        case .number(let d): d.map { String(format: "%.6g", $0) } ?? "-"
        }
    }

    static func score(_ score: Score?) -> SummaryValue { .number(score?.value) }
}

/// Builds one JSON object from summary fields (order kept).
struct JSONLineBuilder {
    private var line = JSONLine()
    mutating func add(_ key: String, _ value: SummaryValue) {
        switch value {
        case .text(let s): line.add(key, s)
        case .integer(let i): line.add(key, i)
        case .number(let d): line.add(key, d)
        }
    }
    var text: String { line.text }
}
