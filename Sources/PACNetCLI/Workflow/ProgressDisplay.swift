import Foundation
import PACNN

/// Training progress on stderr: a redrawn bar (stage, epoch, step, loss, ETA) when stderr is a
/// terminal, plain periodic lines otherwise (logs, CI), nothing with `--quiet`. Each stage the
/// library labels (`train`, `allocate r=0.8`, `select 3/20 fold 2/5`, `calibrate`) gets its own
/// bar and estimate.
final class ProgressDisplay: @unchecked Sendable {
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    // Steps arrive on the command's thread; the lock keeps the observer honest if that changes.
    private let lock = NSLock()
    private var label = ""
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var lastEpochLogged = 0
    private var drewBar = false

    init(quiet: Bool) { enabled = !quiet }

    /// Runs `body` with its training steps shown, then ends the last bar.
    func showing<R>(_ body: () throws -> R) throws -> R {
        defer { finish() }
        var observer: TrainingProgress.Observer?
        if enabled { observer = { @Sendable [self] stage, step in self.update(stage, step) } }
        return try TrainingProgress.observing(observer) { () throws(any Error) -> R in try body() }
    }

    private func update(_ stage: String, _ report: StepReport) {
        lock.withLock {
            if stage != label {
                endBar()
                (label, start, lastDraw, lastEpochLogged) = (stage, Date(), .distantPast, 0)
            }
            draw(report)
        }
    }

    private func draw(_ report: StepReport) {
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

    private func finish() { lock.withLock { endBar() } }

    private func endBar() {
        if drewBar { write("\n") }
        drewBar = false
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    private static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
