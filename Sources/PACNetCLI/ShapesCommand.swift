import ArgumentParser
import PACBenchmarks

/// `pacnet shapes`: the image-attribute transfer benchmark with a small ResNet.
struct ShapesCommand: TaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapes",
        abstract: "Transfer between attribute sets of procedural 32x32 images with a ResNet-8: every method, including DELTA and BSS.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Residual blocks per ResNet stage (1 gives the ResNet-8 of the specification).")
    var blocks: Int = 1

    var task: ShapesTask { ShapesTask(blocksPerStage: blocks) }

    func validate() throws {
        guard blocks >= 1 else { throw CLIError("--blocks must be at least 1, got \(blocks)") }
        _ = try options.configuration(for: task)
    }
}
