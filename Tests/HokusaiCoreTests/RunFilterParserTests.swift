import Testing

@testable import HokusaiCore

@Suite struct RunFilterParserTests {
    func clauses(_ filter: String) throws -> [RunFilter.Clause] {
        try RunFilterParser.parse(filter).clauses
    }

    func clause(_ subject: RunFilter.Subject, _ comparator: RunFilter.Comparator, _ value: RunFilter.Value) -> RunFilter.Clause {
        RunFilter.Clause(subject: subject, comparator: comparator, value: value)
    }

    @Test func everyPrefixAndItsAliases() throws {
        for prefix in ["metrics", "metric", "METRICS"] {
            #expect(try clauses("\(prefix).loss < 0.5") == [clause(.metric("loss"), .less, .number(0.5))])
        }
        for prefix in ["params", "param", "parameter", "parameters"] {
            #expect(try clauses("\(prefix).model = 'cnn'") == [clause(.param("model"), .equal, .string("cnn"))])
        }
        for prefix in ["tags", "tag"] {
            #expect(try clauses("\(prefix).team != \"ml\"") == [clause(.tag("team"), .notEqual, .string("ml"))])
        }
        for prefix in ["attributes", "attribute", "attr", "run"] {
            #expect(try clauses("\(prefix).status = 'FINISHED'") == [clause(.attribute(.status), .equal, .string("FINISHED"))])
        }
        #expect(try clauses("datasets.name LIKE 'train%'") == [clause(.dataset(.name), .like, .string("train%"))])
        #expect(try clauses("run_name = 'r1'") == [clause(.attribute(.runName), .equal, .string("r1"))])
    }

    @Test func quotedKeysAndDottedNames() throws {
        #expect(try clauses("metrics.`my metric` >= 1e-3") == [clause(.metric("my metric"), .greaterOrEqual, .number(0.001))])
        #expect(try clauses("params.\"a b\" = 'x'") == [clause(.param("a b"), .equal, .string("x"))])
        #expect(
            try clauses("tags.mlflow.source.name LIKE '%.py'") == [clause(.tag("mlflow.source.name"), .like, .string("%.py"))])
        #expect(try clauses("\"run name\" = 'r'") == [clause(.attribute(.runName), .equal, .string("r"))])
        #expect(try clauses("`Run Name` = 'r'") == [clause(.attribute(.runName), .equal, .string("r"))])
    }

    @Test func everyComparatorForItsType() throws {
        for symbol in ["=", "!=", ">", ">=", "<", "<="] {
            #expect(try clauses("metrics.m \(symbol) -2").first?.comparator.rawValue == symbol)
            #expect(try clauses("attributes.start_time \(symbol) 10").first?.comparator.rawValue == symbol)
        }
        #expect(try clauses("params.p ILIKE 'A%'").first?.comparator == .ilike)
        #expect(try clauses("tags.t IS NULL") == [clause(.tag("t"), .isNull, .none)])
        #expect(try clauses("tags.t is not null") == [clause(.tag("t"), .isNotNull, .none)])
        #expect(try clauses("run_id IN ('a', 'b')") == [clause(.attribute(.runId), .in, .list(["a", "b"]))])
        #expect(try clauses("attributes.run_id NOT IN ('a')") == [clause(.attribute(.runId), .notIn, .list(["a"]))])
    }

    @Test func clausesAreJoinedByAndOnly() throws {
        #expect(try clauses("metrics.a > 1 and params.b = 'x' AND tags.c = 'y'").count == 3)
        #expect(throws: MLflowError.invalid("Invalid clause(s) in filter string: 'OR'")) {
            try RunFilterParser.parse("metrics.a > 1 OR metrics.b > 1")
        }
    }

    @Test(arguments: [
        "metrics.x = 'abc'", "params.p = 1", "params.p > 'a'", "metrics.m LIKE 'x'", "status IN ('A')",
        "attributes.start_time = 'x'", "unknown = 'x'", "foo.bar = 'x'", "params.p = ", "metrics.m <", "tags.t IS 'x'",
        "run_id IN 'a'", "datasets.size = 'x'", "params.`unterminated = 'x'",
    ])
    func badClausesAreRefused(filter: String) {
        #expect(throws: MLflowError.self) { try RunFilterParser.parse(filter) }
    }

    @Test func orderingsParse() throws {
        #expect(try RunFilterParser.ordering("metrics.loss DESC") == RunOrdering(subject: .metric("loss"), ascending: false))
        #expect(try RunFilterParser.ordering("params.a") == RunOrdering(subject: .param("a"), ascending: true))
        #expect(try RunFilterParser.ordering("tags.`x y` desc") == RunOrdering(subject: .tag("x y"), ascending: false))
        #expect(
            try RunFilterParser.ordering("attributes.start_time ASC")
                == RunOrdering(subject: .attribute(.startTime), ascending: true))
        #expect(try RunFilterParser.ordering("run_name") == RunOrdering(subject: .attribute(.runName), ascending: true))
        #expect(throws: MLflowError.self) { try RunFilterParser.ordering("metrics.loss SIDEWAYS") }
        #expect(throws: MLflowError.self) { try RunFilterParser.ordering("nonsense.key") }
    }
}
