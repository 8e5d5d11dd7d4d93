import ArgumentParser
import Foundation
import PACBenchmarks
import PACIO
import PACNet
import PACNN

/// `pacnet chain`: a source and several targets learned in turn, with the forgetting matrix of
/// every method.
struct ChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Learn a source and several targets in turn on one network (PAC-Net chain) against one network per task and sequential fine-tuning; print the forgetting matrices.")

    @Option(parsing: .unconditional, help: "The benchmark: friedman (perturbed Friedman #1 targets) or shapes (attribute groups).")
    var task: String = "friedman"
    @Option(parsing: .unconditional, help: "Number of seeds (default: friedman 5, shapes 2).")
    var seeds: Int?
    @Option(parsing: .unconditional, help: "Targets learned after the source (shapes: at most 8).")
    var targets: Int = 3
    @Option(name: .customLong("n-target"), parsing: .unconditional, help: "Training samples of each target (default: friedman 100, shapes 500).")
    var nTarget: Int?
    @Option(parsing: .unconditional, help: "Comma-separated methods (\(ChainMethod.allCases.map(\.rawValue).joined(separator: ", "))).")
    var methods: String = ChainMethod.allCases.map(\.rawValue).joined(separator: ",")
    @Option(parsing: .unconditional, help: "The source's pruning ratio.")
    var ratio: Double = PruningRatio.paperDefault.value
    @Option(parsing: .unconditional, help: "The calibration penalty strength lambda.")
    var lambda: Double = Double(PenaltyStrength.paperDefault.value)
    @Option(parsing: .unconditional, help: "Fraction of its entries each target but the last keeps; the rest are left to the next target.")
    var keep: Double = 0.5
    @Flag(name: .customLong("own-biases"), help: "Every PAC-Net target also trains its own biases (pacnet-bias).")
    var ownBiases = false
    @Option(help: "Write the figure (SVG) here.")
    var figure: String?
    @Flag(help: "Print one JSON object per score instead of the tables.")
    var json = false
    @Flag(help: "Overwrite an existing figure.")
    var force = false
    @Option(help: "Seeds run in parallel (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        switch task {
        case "friedman": try run(FriedmanTask(), seeds: seeds ?? 5, nTarget: nTarget ?? 100)
        case "shapes": try run(ShapesTask(), seeds: seeds ?? 2, nTarget: nTarget ?? 500)
        default: throw CLIError("--task: unknown chain benchmark '\(task)' (known: friedman, shapes)")
        }
    }

    private func run<Benchmark: ChainTask>(_ task: Benchmark, seeds: Int, nTarget: Int) throws {
        var config = ChainConfiguration()
        guard seeds >= 1 else { throw CLIError("--seeds must be at least 1, got \(seeds)") }
        guard jobs >= 1 else { throw CLIError("--jobs must be at least 1, got \(jobs)") }
        config.seeds = (0..<UInt64(seeds)).map { $0 }
        config.targets = targets
        config.targetCount = nTarget
        config.schedules = task.schedules
        config.methods = try methods.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let method = ChainMethod(rawValue: trimmed) else {
                throw CLIError("--methods: unknown method '\(trimmed)' (known: \(ChainMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return method
        }
        guard Set(config.methods).count == config.methods.count else { throw CLIError("--methods: a method is listed twice") }
        config.keep = keep
        config.freedom = ownBiases ? .ownBiases : .prunedWeights
        config.parallelSeeds = jobs
        var experiment: ChainExperiment<Benchmark>
        do {
            config.ratio = try PruningRatio(ratio)
            config.lambda = try PenaltyStrength(lambda)
            experiment = try ChainExperiment(task: task, configuration: config)
        } catch { throw CLIError("chain: \(error)") }
        if let figure, !force, FileManager.default.fileExists(atPath: figure) {
            throw CLIError("\(figure): output file exists (use --force to overwrite)")
        }
        let quiet = self.quiet, json = self.json
        let started = Stopwatch()
        if !quiet {
            experiment.onStep = { line in
                FileHandle.standardError.write(Data(String(format: "chain: %@, %.1f s elapsed\n", line, started.elapsed).utf8))
            }
        }
        var records: [ChainRecord] = []
        let seconds = try Timing.seconds {
            let stopwatch = Stopwatch()
            var done = Set<UInt64>()
            records = try experiment.run { record in
                if json { FileHandle.standardOutput.write(Data((record.jsonLine(metric: task.metrics[0]) + "\n").utf8)) }
                if !quiet, done.insert(record.seed).inserted {
                    let elapsed = stopwatch.elapsed, count = done.count
                    let remaining = elapsed / Double(count) * Double(config.seeds.count - count)
                    FileHandle.standardError.write(Data(String(format: "chain: seed %d/%d done, %.1f s elapsed, about %.0f s remaining\n",
                                                               count, config.seeds.count, elapsed, remaining).utf8))
                }
            }
        }
        let matrix = ForgettingMatrix(task: task.name, metric: task.metrics[0], records: records)
        if !json {
            print(matrix.render())
            print("\nsettings: \(targets) targets of \(nTarget) samples, ratio \(config.ratio), lambda \(config.lambda), keep \(keep)"
                  + "\(ownBiases ? ", own biases" : ""); total \(String(format: "%.1f", seconds)) s")
        }
        if let figure {
            do { try AtomicFile.write(matrix.figure(), to: figure, overwrite: true) } catch { throw CLIError(error.description) }
        }
    }
}
