import PACIO
import ArgumentParser
import Foundation
import PACBenchmarks
import PACEngine
import PACNN

/// `pacnet bench`: engine speed on the workloads mirrored by `bench/torch_twin.py`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure GEMM GFLOP/s, MLP, ResNet-8 and ResNet-18 training-step times, ResNet-18 inference and one friedman seed (release builds only are meaningful).")

    @Option(help: "Comma-separated workloads: gemm, mlp_step, resnet_step, resnet18_step, resnet18_predict, friedman_pipeline, and selection (not run by default: about 40 s).")
    var only: String = "gemm,mlp_step,resnet_step,resnet18_step,resnet18_predict,friedman_pipeline"

    @Option(name: .customLong("mlp-batches"), help: "Comma-separated batch sizes of mlp_step.")
    var mlpBatches: String = "32,128,1024"

    @Flag(help: "One JSON object per measurement on stdout.")
    var json = false

    func validate() throws { _ = try workloads(); _ = try batches() }

    private func batches() throws -> [Int] {
        try mlpBatches.split(separator: ",").map { item in
            guard let batch = Int(item.trimmingCharacters(in: .whitespaces)), batch > 0 else {
                throw CLIError("--mlp-batches: '\(item)' is not a positive integer")
            }
            return batch
        }
    }

    private func workloads() throws -> [String] {
        let known = ["gemm", "mlp_step", "resnet_step", "resnet18_step", "resnet18_predict", "friedman_pipeline", "selection"]
        let names = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw CLIError("--only: the workload list is empty") }
        for name in names where !known.contains(name) {
            throw CLIError("--only: unknown workload '\(name)' (known: \(known.joined(separator: ", ")))")
        }
        return names
    }

    func run() throws {
        let names = try workloads()
        var rows: [[String]] = []
        func emit(_ line: JSONLine, _ row: [String]) {
            if json {
                FileHandle.standardOutput.write(Data((line.text + "\n").utf8))
            } else {
                rows.append(row)
            }
        }
        if names.contains("gemm") {
            // With a system BLAS, both backends' samples alternate, and the BLAS line carries the
            // built-in kernel's median round-by-round speed relative to it.
            let backends: [GEMMBackend] = SystemBLAS.shared == nil ? [.builtin] : [.builtin, .blas]
            for n in [64, 128, 256, 512, 1024] {
                let rounds = SpeedBenchmarks.gemm(size: n, backends: backends)
                for (i, backend) in backends.enumerated() {
                    let gflops = Timing.median(rounds.map { $0[i] })
                    let relative = i == 0 ? nil : Timing.median(rounds.map { $0[0] / $0[i] })
                    var line = JSONLine()
                    line.add("name", "gemm"); line.add("backend", backend.rawValue)
                    line.add("m", n); line.add("n", n); line.add("k", n); line.add("gflops", (gflops * 10).rounded() / 10)
                    if let relative { line.add("builtin_relative", (relative * 1000).rounded() / 1000) }
                    let result = String(format: "%.1f GFLOP/s", gflops) + (relative.map { String(format: " (built-in %.2fx)", $0) } ?? "")
                    emit(line, ["gemm", "\(backend.rawValue) \(n)x\(n)x\(n)", result])
                }
            }
        }
        if names.contains("mlp_step") {
            for batch in try batches() {
                let micros = SpeedBenchmarks.mlpStep(batch: batch)
                var line = JSONLine()
                line.add("name", "mlp_step"); line.add("batch", batch); line.add("microseconds", (micros * 10).rounded() / 10)
                emit(line, ["mlp_step", "batch \(batch)", String(format: "%.1f µs", micros)])
            }
        }
        if names.contains("resnet_step") {
            let batch = 128
            let micros = SpeedBenchmarks.resnetStep(batch: batch)
            var line = JSONLine()
            line.add("name", "resnet_step"); line.add("batch", batch); line.add("microseconds", (micros * 10).rounded() / 10)
            emit(line, ["resnet_step", "ResNet-8, batch \(batch), 3x32x32", String(format: "%.1f µs", micros)])
        }
        if names.contains("resnet18_step") {
            let batch = 32
            let micros = SpeedBenchmarks.resnet18Step(batch: batch)
            var rng = RandomGenerator(seed: 0)
            let parameters = SpeedBenchmarks.resnet18(rng: &rng).parameterCount
            var line = JSONLine()
            line.add("name", "resnet18_step"); line.add("batch", batch); line.add("parameters", parameters)
            line.add("microseconds", (micros * 10).rounded() / 10)
            emit(line, ["resnet18_step", "ResNet-18, batch \(batch), 3x64x64", String(format: "%.1f µs", micros)])
        }
        if names.contains("resnet18_predict") {
            let images = 256
            let micros = SpeedBenchmarks.resnet18Predict(images: images)
            var line = JSONLine()
            line.add("name", "resnet18_predict"); line.add("images", images); line.add("microseconds", (micros * 10).rounded() / 10)
            emit(line, ["resnet18_predict", "ResNet-18 inference, \(images) images 3x64x64", String(format: "%.1f ms", micros / 1000)])
        }
        if names.contains("friedman_pipeline") {
            let seconds = try SpeedBenchmarks.friedmanPipeline()
            var line = JSONLine()
            line.add("name", "friedman_pipeline"); line.add("seconds", (seconds * 1000).rounded() / 1000)
            emit(line, ["friedman_pipeline", "1 seed, n_target 10,50,200, 4 methods", String(format: "%.2f s", seconds)])
        }
        if names.contains("selection") {
            // The same 100 fold trainings through the autodiff graph and without it, on one thread
            // and on every core, side by side (the same bits in all four).
            for graph in [true, false] {
                for workers in [1, Engine.maxThreads] {
                    let seconds = try SpeedBenchmarks.selection(workers: workers, graph: graph)
                    var line = JSONLine()
                    line.add("name", "selection"); line.add("path", graph ? "graph" : "direct"); line.add("workers", workers)
                    line.add("seconds", (seconds * 1000).rounded() / 1000)
                    emit(line, ["selection", "friedman n_target 50, 20 candidates x 5 folds, \(graph ? "graph" : "direct"), \(workers) thread\(workers == 1 ? "" : "s")",
                                String(format: "%.2f s", seconds)])
                }
            }
        }
        let cpu = CPUModel.current
        if json {
            var line = JSONLine()
            line.add("name", "machine"); line.add("cpu", cpu.description)
            if let vendor = cpu.vendor { line.add("cpu_vendor", vendor) }
            if let family = cpu.family { line.add("cpu_family", family) }
            if let model = cpu.model { line.add("cpu_model", model) }
            line.add("threads", Engine.maxThreads)
            if let blas = SystemBLAS.shared {
                line.add("blas", blas.name)
                if let core = blas.coreName { line.add("blas_core", core) }
            }
            FileHandle.standardOutput.write(Data((line.text + "\n").utf8))
        }
        if !json {
            let blas = SystemBLAS.shared.map { library in
                let kind = library.isOpenBLAS ? "OpenBLAS" + (library.coreName.map { ", \($0) kernels" } ?? "") : nil
                return library.name + (kind.map { " (\($0))" } ?? "")
            } ?? "none (PACNET_BLAS=on loads one)"
            print(TextTable.render([["workload", "size", "result"]] + rows, rightAligned: [2]).joined(separator: "\n"))
            print("\nthreads \(Engine.maxThreads), system BLAS: \(blas)")
            print("CPU: \(cpu.description)")
        }
    }
}
