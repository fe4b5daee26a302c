/// Generated run names in MLflow's style ("silent-rat-323"), for runs created without one.
public enum RunNames {
    static let adjectives = [
        "able", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fair", "gentle", "glad",
        "grand", "happy", "keen", "kind", "lively", "loud", "lucky", "merry", "mild", "neat", "nimble", "proud",
        "quick", "quiet", "rare", "silent", "sleek", "smart", "steady", "swift", "tidy", "vast", "warm", "wise",
    ]
    static let nouns = [
        "ant", "bass", "bear", "bee", "cat", "colt", "crab", "crow", "deer", "dove", "eel", "elk", "finch", "fox",
        "frog", "goat", "hare", "hawk", "hen", "ibis", "jay", "koi", "lark", "lynx", "mole", "moth", "newt", "owl",
        "panda", "rat", "seal", "shrew", "slug", "snail", "stork", "swan", "toad", "trout", "wasp", "whale", "wolf",
    ]

    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        let adjective = adjectives.randomElement(using: &generator)!
        let noun = nouns.randomElement(using: &generator)!
        return "\(adjective)-\(noun)-\(Int.random(in: 0..<1000, using: &generator))"
    }

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }
}
