import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet info`: describe a model file.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Architecture, heads, names, parameters, masks and sparsity per layer, tasks and metadata of a model file.")

    @Option(help: "Model file.")
    var model: String
    @Option(help: "Architecture, for model files without one (e.g. from PyTorch).")
    var arch: String?
    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let file = try loadModel(model, arch: arch)
        var fields: [(String, SummaryValue)] = [
            ("model", .text(model)), ("architecture", .text(file.architecture.description)),
            ("parameters", .integer(file.network.parameterCount)), ("stage", .text(file.stage.rawValue)),
            ("tasks", .text(file.taskNames.joined(separator: ","))), ("loss", .text(file.loss.rawValue)),
        ]
        if case .resnet(let resnet) = file.architecture {
            // Head k serves task k: the source, the target, then tasks added with calibrate --task.
            let names = resnet.headOutputs.count >= 2 && resnet.headOutputs.count >= file.taskNames.count
                ? file.taskNames + (file.taskNames.count..<resnet.headOutputs.count).map { "head \($0)" } : []
            fields.append(("heads", .text(names.isEmpty ? "\(resnet.headOutputs[0]) outputs (one task)"
                : zip(names, resnet.headOutputs).map { "\($0) \($1) outputs" }.joined(separator: ", "))))
        }
        if let size = file.imageSize { fields.append(("image_size", .text(size.description))) }
        if let features = file.features { fields.append(("features", .text(features.joined(separator: ",")))) }
        if let targets = file.targets { fields.append(("targets", .text(targets.joined(separator: ",")))) }
        if let targets = file.targetTaskTargets { fields.append(("target_task_targets", .text(targets.joined(separator: ",")))) }
        if let ratio = file.ratio { fields.append(("ratio", .number(ratio.value))) }
        if let lambda = file.lambda { fields.append(("lambda", .number(Double(lambda.description)))) }
        if let rate = file.learningRate { fields.append(("target_learning_rate", .number(Double(rate.description)))) }
        fields.append(("standardized", .text(file.standardization == nil ? "no" : "yes")))
        if let masks = file.masks {
            let rest = file.chainTasks.isEmpty ? "\(masks.prunedCount) free for the target" : "the rest owned by the targets"
            fields.append(("masks", .text("\(masks.masks.count) masked parameters keep \(masks.keptCount) of \(masks.totalCount) entries for the source task (\(rest))")))
        }
        if !file.chainTasks.isEmpty, let owned = file.ownedCounts {
            let reads = file.chainReading == .earlierTasks ? "each reading the entries of the tasks before it" : "each target reading the source's entries and its own"
            fields.append(("chain", .text("tasks in order, \(reads) (reading \(file.chainReading.rawValue)): "
                + zip(file.taskNames, owned).map { "\($0) owns \($1)" }.joined(separator: ", ")
                + " of \(file.masks!.totalCount) entries (<param>\(ModelFile.ownerSuffix) holds each entry's task number)")))
            for record in file.chainTasks {
                var text = "lambda \(record.lambda)"
                if let rate = record.learningRate { text += ", learning rate \(rate)" }
                if record.freedom == .ownBiases { text += ", own biases" }
                if let targets = record.targets { text += ", targets \(targets.joined(separator: ","))" }
                fields.append(("task." + record.name, .text(text)))
            }
            for task in file.taskNames {
                guard let copies = task == TaskSide.source.rawValue ? (file.sourceCopies.isEmpty ? nil : file.sourceCopies) : file.targetCopies[task] else { continue }
                fields.append(("copies." + task, .text("\(task) keeps its own \(copies.values.count) biases, normalization parameters and buffers as <name>_\(task)")))
            }
        }
        if !file.sourceCopies.isEmpty && file.chainTasks.isEmpty {
            let buffers = file.sourceCopies.values.filter { file.network.buffer(named: $0.name) != nil }.count
            fields.append(("own_biases", .text("the target has its own copy of \(file.sourceCopies.values.count - buffers) biases and normalization parameters"
                + (buffers > 0 ? " and \(buffers) buffers (running statistics, batch counts)" : "") + "; the source's are stored as <name>\(ModelFile.sourceCopySuffix)")))
        }
        for (entry, parameter) in file.network.namedParameters() {
            // The name the file stores it under (torchvision's, for resnet18/resnet34).
            let name = file.architecture.fileName(for: entry)
            let mask = file.masks?[entry]
            let zeros = parameter.value.scalars.filter { $0 == 0 }.count
            let kept = mask.map { $0.scalars.filter { $0 == 1 }.count }
            var text = "\(parameter.shape.map(String.init).joined(separator: "x")), \(zeros) zeros (sparsity \(String(format: "%.3f", Double(zeros) / Double(parameter.value.count))))"
            if let kept { text += ", mask keeps \(kept) of \(parameter.value.count) for the source task" }
            if file.chainTasks.isEmpty, file.sourceCopies[entry] != nil { text += ", the target's own copy (the source's is \(name)\(ModelFile.sourceCopySuffix))" }
            let owners = file.taskNames.filter { $0 == TaskSide.source.rawValue ? file.sourceCopies[entry] != nil : file.targetCopies[$0]?[entry] != nil }
            if !file.chainTasks.isEmpty, !owners.isEmpty { text += ", copies of " + owners.map { "\($0) (\(name)_\($0))" }.joined(separator: ", ") }
            fields.append((name, .text(text)))
        }
        for (key, value) in file.extraMetadata.sorted(by: { $0.key < $1.key }) { fields.append(("metadata." + key, .text(value))) }
        printSummary(fields, json: json)
    }
}
