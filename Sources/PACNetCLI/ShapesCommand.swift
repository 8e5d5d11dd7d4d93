import ArgumentParser
import PACBenchmarks
import PACNN

/// `pacnet shapes`: the image-attribute transfer benchmark with a small ResNet.
struct ShapesCommand: TaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapes",
        abstract: "Transfer between attribute sets of procedural 32x32 images with a ResNet-8: every method, including DELTA and BSS.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Residual blocks per ResNet stage, 1 to 64 (1 gives the ResNet-8 of the specification).")
    var blocks: Int = 1

    @Option(help: "The network: resnet8 (the specification's, with --blocks), or torchvision's resnet18 or resnet34 (ImageNet stem).")
    var arch: String = "resnet8"

    var task: ShapesTask { ShapesTask(blocksPerStage: blocks, torchvision: ResNet.Torchvision(rawValue: arch)) }

    func validate() throws {
        // 1 to 64 blocks per stage: ResNet-8 up to a 386-layer network, far past what the task needs.
        guard (1...64).contains(blocks) else { throw CLIError("--blocks must be from 1 to 64, got \(blocks)") }
        let known = ["resnet8"] + ResNet.Torchvision.allCases.map(\.rawValue)
        guard known.contains(arch) else { throw CLIError("--arch must be one of \(known.joined(separator: ", ")), got '\(arch)'") }
        guard blocks == 1 || arch == "resnet8" else { throw CLIError("--blocks applies to --arch resnet8 only") }
        _ = try options.configuration(for: task)
    }
}
