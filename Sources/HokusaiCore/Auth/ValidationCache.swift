/// What a gateway remembers of the auth service's answers, keyed by the key's SHA-256 (never the
/// key). Valid keys are fresh for `positiveMillis` (so a revocation reaches the gateway within that
/// time), refusals for `negativeMillis`. A valid key stays usable, as stale, for `staleMillis` while
/// the auth service cannot be reached. At most `capacity` entries; the oldest go first.
public struct ValidationCache: Sendable {
    public enum Verdict: Sendable, Equatable {
        case valid(KeyRecord)
        case refused(KeyRejection)
    }

    public enum Lookup: Sendable, Equatable {
        case fresh(Verdict)
        /// A valid key last confirmed longer ago than the positive TTL but within the stale window:
        /// usable only when the auth service cannot answer.
        case stale(KeyRecord)
        case miss
    }

    struct Entry: Sendable {
        let verdict: Verdict
        let storedAt: Int64
    }

    public let positiveMillis: Int64
    public let negativeMillis: Int64
    public let staleMillis: Int64
    public let capacity: Int
    private var entries: [String: Entry] = [:]

    public init(
        positiveMillis: Int64 = 60_000, negativeMillis: Int64 = 5_000, staleMillis: Int64 = 900_000, capacity: Int = 10_000
    ) {
        self.positiveMillis = positiveMillis
        self.negativeMillis = negativeMillis
        self.staleMillis = max(staleMillis, positiveMillis)
        self.capacity = max(1, capacity)
    }

    public var count: Int { entries.count }

    public func lookup(hash: String, now: Int64) -> Lookup {
        guard let entry = entries[hash] else { return .miss }
        let age = now - entry.storedAt
        switch entry.verdict {
        case .valid(let record):
            if age < positiveMillis { return .fresh(entry.verdict) }
            return age < staleMillis ? .stale(record) : .miss
        case .refused:
            return age < negativeMillis ? .fresh(entry.verdict) : .miss
        }
    }

    public mutating func store(_ verdict: Verdict, hash: String, now: Int64) {
        if entries[hash] == nil, entries.count >= capacity { evictOldest(now: now) }
        entries[hash] = Entry(verdict: verdict, storedAt: now)
    }

    /// Drops expired entries first; if none expired, the oldest tenth, so eviction stays rare.
    mutating func evictOldest(now: Int64) {
        let before = entries.count
        entries = entries.filter { _, entry in
            switch entry.verdict {
            case .valid: now - entry.storedAt < staleMillis
            case .refused: now - entry.storedAt < negativeMillis
            }
        }
        guard entries.count == before else { return }
        let oldest = entries.sorted { $0.value.storedAt < $1.value.storedAt }.prefix(max(1, capacity / 10)).map(\.key)
        for key in oldest { entries[key] = nil }
    }
}
