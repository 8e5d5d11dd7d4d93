import ArgumentParser
import PACBenchmarks

/// `pacnet friedman`: the Friedman #1 regression transfer benchmark.
struct FriedmanCommand: TaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "friedman",
        abstract: "Transfer between Friedman #1 regression variants: scratch, fine-tuning, L2-SP and PAC-Net.")
    var task: FriedmanTask { FriedmanTask() }

    @OptionGroup var options: BenchmarkOptions
}
