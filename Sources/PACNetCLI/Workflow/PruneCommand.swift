import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet prune`: magnitude-prune a trained model.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Keep the largest weights of a trained model; the rest become free for a target task.")

    @Option(help: "Trained model file.")
    var model: String
    @Option(help: "Architecture, for model files without one (e.g. from PyTorch).")
    var arch: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: "Fraction of weights pruned, \(PruningRatio.requirement)."))
    var ratio: Double = PruningRatio.paperDefault.value
    @Option(name: .customLong("pruning-scope"), help: "'global' ranking across layers or 'per-layer'.")
    var pruningScope: String = "global"
    @Flag(name: .customLong("prune-biases"), help: "Prune biases too.")
    var pruneBiases = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let pruningRatio = try validated("--ratio") { () throws(SettingError) in try PruningRatio(ratio) }
        guard let scope = PruningScope(rawValue: pruningScope) else {
            throw CLIError("--pruning-scope must be 'global' or 'per-layer', got '\(pruningScope)'")
        }
        try output.checkWritable()
        let trained = try loadModel(model, arch: arch)
        let pruned = try step { () throws(WorkflowError) in
            try Workflow.prune(trained, pruning: MagnitudePruning(ratio: pruningRatio, scope: scope, includeBiases: pruneBiases))
        }
        try step { () throws(WorkflowError) in try pruned.saveOnRoot(to: output.out, overwrite: output.force) }
        let masks = pruned.masks!
        printSummary([
            ("command", .text("prune")), ("model", .text(output.out)), ("ratio", .number(ratio)),
            ("kept", .integer(masks.keptCount)), ("pruned", .integer(masks.prunedCount)),
        ], json: output.json)
    }
}
