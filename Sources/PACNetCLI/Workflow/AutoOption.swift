import Foundation
import PACNet

/// A numeric option that also accepts `auto` (chosen by cross-validation on the target data).
enum AutoOption {
    /// `.auto` for `auto`, else the number as the validated value `make` builds.
    static func parse<Value>(_ text: String, option: String, requirement: String,
                             make: (Double) throws(SettingError) -> Value) throws -> Tunable<Value> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "auto" { return .auto }
        guard let number = Double(trimmed), let value = try? make(number) else {
            throw CLIError("\(option) must be \(requirement) or 'auto', got '\(text)'")
        }
        return .fixed(value)
    }

    static func ratio(_ text: String) throws -> Tunable<PruningRatio> {
        try parse(text, option: "--ratio", requirement: PruningRatio.requirement) { (value) throws(SettingError) in try PruningRatio(value) }
    }

    static func lambda(_ text: String) throws -> Tunable<PenaltyStrength> {
        try parse(text, option: "--lambda", requirement: PenaltyStrength.requirement) { (value) throws(SettingError) in try PenaltyStrength(value) }
    }

    /// Help text for `--ratio` and `--lambda` built from the grids, never retyped.
    static let selection = HyperparameterSelection()
    static let ratioHelp = "Fraction of weights pruned, \(PruningRatio.requirement), or 'auto': allocate each of \(selection.ratioGridDescription) and choose by \(selection.maxFolds)-fold cross-validation on the target rows."
    static let lambdaHelp = "Penalty on the pruned weights, lambda * sum w^2 (\(PenaltyStrength.requirement)), or 'auto': choose from \(selection.lambdaGridDescription) by \(selection.maxFolds)-fold cross-validation on the target rows (not the --validation rows)."
}
