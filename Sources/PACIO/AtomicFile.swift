import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes output files all-or-nothing: readers see either the old file or the complete new one,
/// never a half-written file, and a failed or interrupted write leaves nothing behind.
///
/// The data goes to a uniquely named hidden temporary file in the target's directory (so the
/// final `rename` stays on one file system and is atomic), is flushed to disk, and is then
/// renamed over the target.
public enum AtomicFile {
    /// Writes `data` to `path`.
    ///
    /// - Parameter overwrite: when false and `path` exists, throws `DataError.outputExists`
    ///   without writing anything.
    public static func write(_ data: Data, to path: String, overwrite: Bool) throws(DataError) {
        if !overwrite && pathExists(path) { throw .outputExists(path: path) }

        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: DataFileReader.systemMessage(errno)) }

        var failure: Int32? = writeAll(data, to: fd)
        if failure == nil && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == nil { failure = errno }
        if failure == nil { failure = publish(temporary, as: path, overwrite: overwrite) }
        if let failure {
            unlink(temporary)
            if failure == EEXIST { throw .outputExists(path: path) }
            throw .writeFailed(path: path, reason: DataFileReader.systemMessage(failure))
        }
    }

    /// Writes `text` as UTF-8 to `path`; see `write(_:to:overwrite:)` for `Data`.
    public static func write(_ text: String, to path: String, overwrite: Bool) throws(DataError) {
        try write(Data(text.utf8), to: path, overwrite: overwrite)
    }

    /// True when something (a file, a directory, even a dangling symlink) is at `path`.
    private static func pathExists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// `dir/.name.tmp-<pid>-<random>` next to `path`; hidden so tools listing outputs skip it.
    private static func temporaryPath(for path: String) -> String {
        let directory: Substring, name: Substring
        if let slash = path.lastIndex(of: "/") {
            directory = path[...slash]
            name = path[path.index(after: slash)...]
        } else {
            directory = ""
            name = Substring(path)
        }
        let random = String(UInt64.random(in: .min ... .max), radix: 36)
        return "\(directory).\(name).tmp-\(getpid())-\(random)"
    }

    /// Writes every byte, retrying short writes and interruptions; returns errno on failure.
    private static func writeAll(_ data: Data, to fd: Int32) -> Int32? {
        data.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// Moves the finished temporary file into place; returns errno on failure.
    private static func publish(_ temporary: String, as path: String, overwrite: Bool) -> Int32? {
        if !overwrite {
            // link() fails with EEXIST if the target appeared since the check above, closing
            // that race; file systems without hard links fall back to rename.
            if link(temporary, path) == 0 {
                unlink(temporary)
                return nil
            }
            let code = errno
            if code == EEXIST { return code }
            if code != EPERM && code != ENOTSUP && code != EOPNOTSUPP && code != EXDEV { return code }
            if pathExists(path) { return EEXIST }
        }
        return rename(temporary, path) == 0 ? nil : errno
    }
}

/// The POSIX `write`, reachable by name from inside `AtomicFile`, whose own `write` shadows it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
