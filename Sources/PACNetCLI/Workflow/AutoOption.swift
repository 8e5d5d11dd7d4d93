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

    /// `--target-learning-rate`: a learning rate or `auto`.
    static func learningRate(_ text: String) throws -> Tunable<LearningRate> {
        try parse(text, option: "--target-learning-rate", requirement: LearningRate.requirement) { (value) throws(SettingError) in try LearningRate(value) }
    }

    /// The settings chosen by cross-validation, for summaries: `ratio+lambda`, `learning_rate`.
    static func selectionText(ratio: Tunable<PruningRatio>? = nil, lambda: Tunable<PenaltyStrength>,
                              learningRate: Tunable<LearningRate>?) -> String {
        [ratio == .auto ? "ratio" : nil, lambda == .auto ? "lambda" : nil, learningRate == .auto ? "learning_rate" : nil]
            .compactMap { $0 }.joined(separator: "+")
    }

    /// `--screening`: `off`, or `FRACTION:KEEP` (`HyperparameterSelection.Screening`).
    static func screening(_ text: String) throws -> HyperparameterSelection.Screening? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "off" { return nil }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let fraction = Double(parts[0]), let keep = Int(parts[1]) else {
            throw CLIError("--screening must be 'off' or FRACTION:KEEP (for example 0.2:4), got '\(text)'")
        }
        var selection = HyperparameterSelection()
        selection.screening = .init(fraction: fraction, keep: keep)
        do { try selection.validate() } catch { throw CLIError("--screening: \(error)") }
        return selection.screening
    }

    /// `--screening`'s default, in the option's syntax.
    static var screeningDefault: String { selection.screening.map { "\($0.fraction):\($0.keep)" } ?? "off" }
    static let screeningHelp = "Successive halving of the 'auto' grid: 'off', or FRACTION:KEEP to train every candidate for that fraction of the target epochs and only the KEEP best fully."

    /// Help text for `--ratio` and `--lambda` built from the grids, never retyped.
    static let selection = HyperparameterSelection()
    static let ratioHelp = "Fraction of weights pruned, \(PruningRatio.requirement), or 'auto': allocate each of \(selection.ratioGridDescription) and choose by \(selection.maxFolds)-fold cross-validation on the target rows."
    static let learningRateHelp = "Adam's learning rate of calibration (default: --learning-rate), or 'auto': choose from \(selection.learningRateGridDescription) by \(selection.maxFolds)-fold cross-validation on the target rows, jointly with any other 'auto' setting."
    static let ownBiasesHelp = "Give the target model its own copy of every bias and normalization parameter (and running statistic), trained in calibration; the source model keeps the originals (stored as <name>_source), so its predictions stay bit-identical."
    static let lambdaHelp = "Penalty on the pruned weights, lambda * sum w^2 (\(PenaltyStrength.requirement)), or 'auto': choose from \(selection.lambdaGridDescription) by \(selection.maxFolds)-fold cross-validation on the target rows (not the --validation rows)."
}
