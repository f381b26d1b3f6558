import Foundation

/// The process's resident set size (RSS), the memory a leak makes grow.
///
/// On Linux it is read from `/proc/self/statm` (resident pages times the page size): the current
/// value, which can go down again. Elsewhere, or when `/proc` is unavailable, it falls back to
/// `getrusage`'s `ru_maxrss`, the peak so far, which can only grow (``source`` says which).
public enum ResidentMemory {
    /// Where a reading came from.
    public enum Source: String, Sendable {
        /// `/proc/self/statm`: the current resident set.
        case statm
        /// `getrusage(RUSAGE_SELF).ru_maxrss`: the peak resident set so far.
        case maxrss
    }

    /// The resident set size in bytes and where it came from; nil when neither source answers.
    public static func current() -> (bytes: Int, source: Source)? {
        if let bytes = statmResidentBytes() { return (bytes, .statm) }
        if let bytes = peakResidentBytes() { return (bytes, .maxrss) }
        return nil
    }

    /// The current resident set from `/proc/self/statm` (its second field, in pages).
    static func statmResidentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]), pages >= 0 else { return nil }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard pageSize > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? nil : bytes
    }

    /// The peak resident set from `getrusage` (kilobytes on Linux, bytes on Darwin).
    static func peakResidentBytes() -> Int? {
        var usage = rusage()
        #if os(Linux)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0, usage.ru_maxrss > 0 else { return nil }
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)
        #else
        let (bytes, overflow) = Int(usage.ru_maxrss).multipliedReportingOverflow(by: 1024)
        return overflow ? nil : bytes
        #endif
    }
}
