/// Whether the artifact bucket answers, for `/ready` and the startup check. A `HeadBucket` at
/// most every `maximumAge`: load balancers poll `/ready` every few seconds, and each poll must
/// not become an S3 request.
actor S3Health {
    struct Outcome: Sendable {
        let failure: S3Failure?
        let latencyMs: Double
    }

    let client: S3Client
    let maximumAge: Duration
    private var last: (at: ContinuousClock.Instant, outcome: Outcome)?

    init(client: S3Client, maximumAge: Duration = .seconds(15)) {
        self.client = client
        self.maximumAge = maximumAge
    }

    func check() async -> Outcome {
        if let last, ContinuousClock.now - last.at < maximumAge { return last.outcome }
        let start = ContinuousClock.now
        var failure: S3Failure?
        do {
            try await client.headBucket()
        } catch let error as S3Failure {
            failure = error
        } catch {
            failure = S3Failure(reason: .other, code: nil, status: nil, message: "\(error)")
        }
        let elapsed = ContinuousClock.now - start
        let outcome = Outcome(
            failure: failure,
            latencyMs: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        last = (ContinuousClock.now, outcome)
        return outcome
    }
}
