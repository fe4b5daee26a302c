/// How replicas share one hourly limit without a store write per request.
///
/// Each replica reserves requests from a counter in the store (`used`, incremented atomically
/// by the size of the reservation) and spends them locally. A reservation is granted only the
/// part that still fits under the limit, computed from the counter's value right after this
/// replica's own increment, so the grants of all replicas together never exceed the limit,
/// whatever the interleaving. Reservations shrink as the limit nears (an eighth of what is
/// left, 256 at most, 1 at least), so few requests sit reserved on a replica the client no
/// longer reaches: the limit is exact for a client that spreads over all replicas, and at most
/// a few requests short for one that stops.
public enum RateGrantPolicy {
    public static let largestReservation = 256

    /// How many requests to reserve, given the counter's last value this replica saw.
    public static func reservation(limit: Int, lastSeenUsed: Int64) -> Int {
        let left = max(0, Int64(limit) - lastSeenUsed)
        return Int(min(Int64(largestReservation), max(1, left / 8)))
    }

    /// How many of `reserved` requests fit, given the counter's value after adding them.
    public static func granted(limit: Int, usedAfter: Int64, reserved: Int) -> Int {
        let before = usedAfter - Int64(reserved)
        return Int(max(0, min(Int64(reserved), Int64(limit) - before)))
    }
}
