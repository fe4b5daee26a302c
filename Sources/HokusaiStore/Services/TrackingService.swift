import HokusaiCore
import SQLKit

/// MLflow tracking on the store: every rule of the reference server's tracking API that is about
/// data (existence, lifecycle, immutability, batch limits, ownership), each write in one transaction.
public struct TrackingService: Sendable {
    let database: any Database
    let experiments = ExperimentRepository()
    let runs = RunRepository()
    let metrics = MetricRepository()
    let loggedModels = LoggedModelRepository()

    public init(database: any Database) {
        self.database = database
    }
}
