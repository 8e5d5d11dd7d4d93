import Foundation

/// A numeric option that also accepts `auto` (chosen by cross-validation on the target data).
enum AutoOption {
    /// `nil` for `auto`, else the number, checked with `isValid`.
    static func parse(_ text: String, option: String, requirement: String, isValid: (Double) -> Bool) throws -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "auto" { return nil }
        guard let value = Double(trimmed), isValid(value) else { throw CLIError("\(option) must be \(requirement) or 'auto', got '\(text)'") }
        return value
    }

    static func ratio(_ text: String) throws -> Double? {
        try parse(text, option: "--ratio", requirement: "in (0, 1)") { $0 > 0 && $0 < 1 }
    }

    static func lambda(_ text: String) throws -> Float? {
        try parse(text, option: "--lambda", requirement: "a finite number >= 0") { $0 >= 0 && $0.isFinite }.map(Float.init)
    }
}
