import Foundation
import Logging

/// Finds the compiled MLflow UI for `serve --mlflow-ui auto`: the build shipped inside the `mlflow`
/// Python package, which every MLflow user has installed, asked of `python3` on the PATH.
/// (The package is located, not imported.)
enum MLflowUILocator {
    enum Choice: Equatable {
        case off
        case auto
        case path(String)

        init(_ raw: String?) {
            switch raw?.lowercased() {
            case nil, "", "auto": self = .auto
            case "off", "false", "none": self = .off
            default: self = .path(raw!)
            }
        }
    }

    static let howToEnable =
        "the MLflow UI is off: no python3 on the PATH imports mlflow. Install it (pip install mlflow) or pass "
        + "--mlflow-ui /path/to/site-packages/mlflow/server/js/build (env HOKUSAI_MLFLOW_UI)"

    /// The folder to serve, or nil (logged once, saying how to turn it on).
    static func resolve(_ choice: Choice, logger: Logger) -> String? {
        switch choice {
        case .off:
            return nil
        case .path(let path):
            return path
        case .auto:
            guard let found = askPython() else {
                logger.notice("\(howToEnable)")
                return nil
            }
            return found
        }
    }

    /// `mlflow/server/js/build` of the `mlflow` that `python3` imports, if it has an index.html.
    static func askPython() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            // Found without importing: `import mlflow.server` loads Flask and takes seconds.
            "import os, importlib.util as u; s = u.find_spec('mlflow'); "
                + "print(os.path.join(os.path.dirname(s.origin), 'server', 'js', 'build'))",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path + "/index.html") ? path : nil
    }
}
