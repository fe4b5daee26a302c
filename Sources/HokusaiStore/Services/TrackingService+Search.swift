import HokusaiCore
import SQLKit

extension TrackingService {
    public static let runSearchDefault = 1000
    public static let runSearchMaximum = 50000

    /// One page of runs matching a filter, ordered, from the given experiments.
    public func searchRuns(
        experimentIds rawIds: [String], filter: String?, viewType: ViewType, maxResults: Int?, orderBy: [String],
        pageToken: String?
    ) async throws -> (runs: [Run], nextPageToken: String?) {
        let experimentIds = try rawIds.map { raw throws(MLflowError) in try Self.experimentId(raw) }
        let limit = try Self.maxResults(maxResults, default: Self.runSearchDefault, maximum: Self.runSearchMaximum)
        let offset = try OffsetPageToken.decode(pageToken)
        let query = RunSearchQuery(
            experimentIds: experimentIds, stages: viewType.stages, filter: try FilterParser.parse(filter, schema: .runs),
            orderings: try orderBy.map { clause throws(MLflowError) in try FilterParser.ordering(clause, schema: .runs) },
            limit: limit, offset: offset)
        guard !experimentIds.isEmpty else { return ([], nil) }
        let found = try await database.read { [runs] db in
            try await runs.runs(ids: try await runs.search(query, on: db), on: db)
        }
        return (found, OffsetPageToken.next(offset: offset, limit: limit, returned: found.count))
    }
}
