import ArgumentParser
import Foundation
import PACEngine
import PACIO
import PACNN
import PACNet
import PACWorkflow

/// `pacnet predict`: write a model's predictions for a data file as CSV or NPY.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Write predictions of the source or target network for a data file as CSV or NPY.",
        discussion: """
            CSV (--out *.csv, or - for standard output): regression, one column per target; ce, the \
            class and its probability; bce (image attributes too), each label's 0/1 prediction \
            (logit > 0) and its probability p_<name>, under the task's column or attribute names. \
            NPY (--out *.npy): a float32 array N x outputs of regression predictions, class \
            probabilities (ce) or label probabilities (bce), columns in the order `pacnet info` \
            lists the task's names.
            """)

    @Option(help: "Model file.")
    var model: String
    @Option(help: "Architecture, for model files without one (e.g. from PyTorch).")
    var arch: String?
    @Option(help: "Data file: CSV with the model's feature columns (other columns are ignored), .npy features, or .npy uint8 images N x H x W x C for image models.")
    var data: String
    @Option(help: "Comma-separated feature columns (default: the model's, else every column but --targets).")
    var features: String?
    @Option(help: "Comma-separated columns that are not features (default: the model's target columns).")
    var targets: String?
    @Option(help: "Loss the model was trained with, for files that do not say (PyTorch): mse, bce or ce.")
    var loss: String?
    @Option(help: "Which task's network: 'source' (masked), 'target' or a task added with calibrate --task. Default: the model's last task.")
    var task: String?
    @OptionGroup var output: OutputOptions

    /// What `--out` asks for.
    enum Format { case csv, npy }

    /// `.npy` -> NPY; `.csv`, `-` (standard output) or a device such as /dev/stdout -> CSV.
    static func format(of out: String, force: Bool) throws -> Format {
        if out == "-" { return .csv }
        let lower = out.lowercased()
        let destination: AtomicFile.Destination
        do { destination = try AtomicFile.destination(of: out, overwrite: force) } catch { throw CLIError(error.description) }
        if lower.hasSuffix(".npy") { return .npy }
        if lower.hasSuffix(".csv") { return .csv }
        if case .device = destination { return .csv }
        throw CLIError("--out \(out): write predictions to a .csv or .npy file, or - for standard output (CSV)")
    }

    func run() throws {
        let format = try Self.format(of: output.out, force: output.force)
        var file = try loadModel(model, arch: arch)
        file.loss = try DataOptions.parseLoss(loss, default: file.loss)
        let which = try parseTask(task, in: file)
        let network = try step { () throws(WorkflowError) in try file.model(forTask: which) }
        let names = try DataOptions.list(features, option: "--features") ?? file.features
        let excluded = try DataOptions.list(targets, option: "--targets") ?? ((file.targets ?? []) + (file.targetTaskTargets ?? []) + file.chainTasks.flatMap { $0.targets ?? [] })
        let inputs = try step { () throws(WorkflowError) in
            let (inputs, columns) = try LabeledData.loadFeatures(path: data, features: names, excluding: excluded,
                                                                 layout: InputLayout(for: file.architecture))
            try Workflow.checkInputs(inputs, file: data, featureNames: columns, fit: file)
            return inputs
        }
        let outputs = Prediction.outputs(network, inputs: inputs, standardization: file.standardization)
        let labels = file.outputNames(forTask: which)
        let bytes = format == .npy ? NPYArray.encode(Self.values(outputs, loss: file.loss))
                                   : Data(Self.csv(outputs, loss: file.loss, names: labels).utf8)
        let taskField: [(String, SummaryValue)] = file.taskNames.count > 1 ? [("task", .text(which))] : []
        let summary: [(String, SummaryValue)] = [("command", .text("predict")), ("model", .text(model))] + taskField + [
            ("rows", .integer(inputs.shape[0])), ("predictions", .text(output.out == "-" ? "standard output" : output.out)),
        ]
        if output.out == "-" {
            // The predictions are standard output; the summary moves to standard error.
            FileHandle.standardOutput.write(bytes)
            if !output.quiet { printSummary(summary, json: output.json, to: .standardError) }
            return
        }
        do { try AtomicFile.write(bytes, to: output.out, overwrite: output.force) } catch { throw CLIError(error.description) }
        printSummary(summary, json: output.json)
    }

    /// The NPY output: regression predictions, softmax class probabilities (`ce`) or sigmoid
    /// label probabilities (`bce`).
    static func values(_ outputs: Tensor, loss: Loss) -> Tensor {
        let rows = outputs.shape[0], width = outputs.shape[1]
        let values = outputs.scalars
        switch loss {
        case .mse:
            return outputs
        case .bce:
            return Tensor(shape: outputs.shape, scalars: values.map { Float(1 / (1 + Foundation.exp(-Double($0)))) })
        case .crossEntropy:
            var probabilities: [Float] = []
            for r in 0..<rows {
                let row = values[(r * width)..<((r + 1) * width)]
                let top = row.max()!
                let exps = row.map { Foundation.exp(Double($0 - top)) }
                let total = exps.reduce(0, +)
                probabilities += exps.map { Float($0 / total) }
            }
            return Tensor(shape: outputs.shape, scalars: probabilities)
        }
    }

    /// Regression: one column per target. `ce`: the class and its probability. `bce`: each label's
    /// 0/1 prediction and probability.
    static func csv(_ outputs: Tensor, loss: Loss, names: [String]?) -> String {
        let rows = outputs.shape[0], width = outputs.shape[1]
        let labels = names?.count == width ? names! : (0..<width).map { "y\($0)" }
        let values = outputs.scalars
        var lines: [String] = []
        switch loss {
        case .mse:
            lines.append(labels.joined(separator: ","))
            for r in 0..<rows { lines.append((0..<width).map { "\(values[r * width + $0])" }.joined(separator: ",")) }
        case .crossEntropy:
            lines.append("class,probability")
            let classes = Prediction.classes(fromLogits: outputs)
            for r in 0..<rows {
                let row = values[(r * width)..<((r + 1) * width)]
                let top = row.max()!
                let total = row.reduce(0.0) { $0 + Foundation.exp(Double($1 - top)) }
                lines.append("\(classes[r]),\(1 / total)")
            }
        case .bce:
            lines.append((labels + labels.map { "p_\($0)" }).joined(separator: ","))
            for r in 0..<rows {
                let logits = (0..<width).map { Double(values[r * width + $0]) }
                let probabilities = logits.map { 1 / (1 + Foundation.exp(-$0)) }
                lines.append((logits.map { $0 > 0 ? "1" : "0" } + probabilities.map { "\($0)" }).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
