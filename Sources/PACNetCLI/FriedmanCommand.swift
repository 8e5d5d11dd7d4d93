import ArgumentParser
import PACBenchmarks

/// `pacnet friedman`: the Friedman #1 regression transfer benchmark.
struct FriedmanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "friedman",
        abstract: "Transfer between Friedman #1 regression variants: scratch, fine-tuning, L2-SP and PAC-Net.")

    @OptionGroup var options: BenchmarkOptions

    func validate() throws { _ = try options.configuration(defaultTargetSizes: FriedmanTask().defaultTargetSizes) }

    func run() throws { try BenchmarkRunner.run(FriedmanTask(), options: options) }
}
