import Foundation
import PACNN

/// Training progress on stderr: a redrawn bar (epoch, step, loss, ETA) when stderr is a
/// terminal, plain periodic lines otherwise (logs, CI), nothing with `--quiet`.
final class ProgressDisplay {
    private let label: String
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastEpochLogged = 0
    private var drewBar = false

    init(_ label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet
    }

    /// Call after every optimizer step.
    func update(_ report: StepReport) {
        guard enabled else { return }
        let done = Double((report.epoch - 1) * report.stepsPerEpoch + report.step)
        let total = Double(report.epochs * report.stepsPerEpoch)
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed * (total - done) / done : 0
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            let width = 24, filled = Int(Double(width) * done / total)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write(String(format: "\r%@ epoch %d/%d [%@] step %d/%d loss %.4g ETA %@ ", label, report.epoch, report.epochs,
                         bar, report.step, report.stepsPerEpoch, report.loss, Self.duration(eta)))
            drewBar = true
        } else if report.step == report.stepsPerEpoch {
            // About 10 lines per stage, plus the last epoch.
            let every = max(1, report.epochs / 10)
            guard report.epoch % every == 0 || report.epoch == report.epochs, report.epoch != lastEpochLogged else { return }
            lastEpochLogged = report.epoch
            write(String(format: "%@: epoch %d/%d loss %.4g elapsed %@ ETA %@\n", label, report.epoch, report.epochs,
                         report.loss, Self.duration(elapsed), Self.duration(eta)))
        }
    }

    /// Ends the bar's line.
    func finish() {
        if enabled && drewBar { write("\n") }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    private static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
