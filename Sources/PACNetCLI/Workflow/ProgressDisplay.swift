import Foundation
import PACNN

/// Training progress on stderr: a redrawn bar (stage, epoch, step, loss, elapsed, remaining) when
/// stderr is a terminal, plain periodic lines otherwise (logs, CI), nothing with `--quiet`.
/// Each stage the library names (`train`, `allocate r=0.8`, `calibrate`) gets its own line and
/// estimate; the parts of one job (cross-validation's fold trainings, `select`) share one, so the
/// remaining time is that of the whole job.
final class ProgressDisplay: @unchecked Sendable {
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    // Steps arrive on the command's thread; the lock keeps the observer honest if that changes.
    private let lock = NSLock()
    private var stage: TrainingProgress.Stage?
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var lastLogged = -1
    private var drewBar = false

    init(quiet: Bool) { enabled = !quiet }

    /// Runs `body` with its training steps shown, then ends the last bar.
    func showing<R>(_ body: () throws -> R) throws -> R {
        defer { finish() }
        var observer: TrainingProgress.Observer?
        if enabled { observer = { @Sendable [self] stage, step in self.update(stage, step) } }
        return try TrainingProgress.observing(observer) { () throws(any Error) -> R in try body() }
    }

    private func update(_ next: TrainingProgress.Stage, _ report: StepReport) {
        lock.withLock {
            if next.name != stage?.name || next.parts != stage?.parts {
                endBar()
                (start, lastDraw, lastLogged) = (Date(), .distantPast, -1)
            }
            stage = next
            draw(next, report)
        }
    }

    private func draw(_ stage: TrainingProgress.Stage, _ report: StepReport) {
        let done = Double((report.epoch - 1) * report.stepsPerEpoch + report.step)
        let total = Double(max(report.epochs * report.stepsPerEpoch, 1))
        // The fraction of the whole job: finished parts plus this part's share.
        let fraction = (Double(stage.part) + done / total) / Double(stage.parts)
        let elapsed = Date().timeIntervalSince(start)
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let name = stage.detail.map { "\(stage.name) \($0)" } ?? stage.name
        // A job run on a worker thread reports only that it finished (its loss is NaN).
        let progress = report.loss.isNaN ? "finished" : String(format: "epoch %d/%d loss %.4g", report.epoch, report.epochs, report.loss)
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || fraction >= 1 else { return }
            lastDraw = Date()
            let width = 24, filled = min(width, Int(Double(width) * fraction))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write(String(format: "\r%@ %@ [%@] elapsed %@ remaining %@ ", name, progress, bar, Self.duration(elapsed), Self.duration(remaining)))
            drewBar = true
        } else if report.step == report.stepsPerEpoch {
            // About 10 lines per stage or job, plus its end.
            let tenth = Int(fraction * 10)
            guard tenth != lastLogged || fraction >= 1 else { return }
            if fraction >= 1 && lastLogged == 10 { return }
            lastLogged = fraction >= 1 ? 10 : tenth
            write(String(format: "%@: %@, %d%% done, elapsed %@, remaining %@\n", name, progress, Int(fraction * 100),
                         Self.duration(elapsed), Self.duration(remaining)))
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
