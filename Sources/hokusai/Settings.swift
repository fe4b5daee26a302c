import ArgumentParser
import Foundation
import HokusaiServer
import HokusaiStore
import Logging

/// A value from a flag, else from its `HOKUSAI_*` environment variable, else a default. Every
/// flag of `serve` and of the store options can be set either way; the flag wins.
enum Setting {
    static func string(_ flag: String?, env name: String) -> String? {
        if let flag { return flag }
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        return nil
    }

    static func int(_ flag: Int?, env name: String, default fallback: Int) throws -> Int {
        if let flag { return flag }
        guard let raw = string(nil, env: name) else { return fallback }
        guard let value = Int(raw) else { throw ValidationError("\(name) must be an integer, got '\(raw)'") }
        return value
    }

    /// An integer that must be above zero (timeouts, TTLs, sizes); `flagName` names it in the error.
    static func positive(_ flag: Int?, env name: String, default fallback: Int, flagName: String) throws -> Int64 {
        let value = try int(flag, env: name, default: fallback)
        guard value > 0 else { throw ValidationError("\(flagName) (\(name)) must be positive, got \(value)") }
        return Int64(value)
    }

    static func bool(_ flag: Bool?, env name: String, default fallback: Bool) throws -> Bool {
        if let flag { return flag }
        guard let raw = string(nil, env: name)?.lowercased() else { return fallback }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValidationError("\(name) must be true or false, got '\(raw)'")
        }
    }
}

/// Where the store is, for every command that opens it.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "Data folder for the SQLite file and artifacts (env HOKUSAI_DATA_DIR; default ./hokusai-data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("database-url"),
        help:
            "postgres://user:pass@host:port/db selects PostgreSQL; default is SQLite in the data folder (env HOKUSAI_DATABASE_URL)."
    )
    var databaseURL: String?

    var resolvedDataDirectory: String {
        Setting.string(dataDirectory, env: "HOKUSAI_DATA_DIR") ?? "./hokusai-data"
    }

    func location() throws -> StoreLocation {
        do {
            return try StoreLocation(
                databaseURL: Setting.string(databaseURL, env: "HOKUSAI_DATABASE_URL"), dataDirectory: resolvedDataDirectory)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Log level and a stderr logger, shared by every command.
struct LoggingOptions: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (env HOKUSAI_LOG_LEVEL; default info).")
    var logLevel: String?

    func level() throws -> Logger.Level {
        let raw = Setting.string(logLevel, env: "HOKUSAI_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    func makeLogger(label: String = "hokusai") throws -> Logger {
        let level = try level()
        var logger = Logger(label: label) { StandardErrorLogHandler(label: $0) }
        logger.logLevel = level
        return logger
    }
}

/// A command that failed for a reason the user can act on: printed as `Error: …`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
