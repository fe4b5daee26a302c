import Testing

@testable import HokusaiCore

@Suite struct FilterParserTests {
    func clauses(_ filter: String) throws -> [SearchFilter.Clause] {
        try FilterParser.parse(filter, schema: .runs).clauses
    }

    func clause(_ subject: SearchFilter.Subject, _ comparator: SearchFilter.Comparator, _ value: SearchFilter.Value)
        -> SearchFilter.Clause
    {
        SearchFilter.Clause(subject: subject, comparator: comparator, value: value)
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
            #expect(try clauses("\(prefix).status = 'FINISHED'") == [clause(.attribute("status"), .equal, .string("FINISHED"))])
        }
        #expect(try clauses("datasets.name LIKE 'train%'") == [clause(.dataset(.name), .like, .string("train%"))])
        #expect(try clauses("run_name = 'r1'") == [clause(.attribute("run_name"), .equal, .string("r1"))])
    }

    @Test func quotedKeysAndDottedNames() throws {
        #expect(try clauses("metrics.`my metric` >= 1e-3") == [clause(.metric("my metric"), .greaterOrEqual, .number(0.001))])
        #expect(try clauses("params.\"a b\" = 'x'") == [clause(.param("a b"), .equal, .string("x"))])
        #expect(
            try clauses("tags.mlflow.source.name LIKE '%.py'") == [clause(.tag("mlflow.source.name"), .like, .string("%.py"))])
        #expect(try clauses("\"run name\" = 'r'") == [clause(.attribute("run_name"), .equal, .string("r"))])
        #expect(try clauses("`Run Name` = 'r'") == [clause(.attribute("run_name"), .equal, .string("r"))])
    }

    @Test func everyComparatorForItsType() throws {
        for symbol in ["=", "!=", ">", ">=", "<", "<="] {
            #expect(try clauses("metrics.m \(symbol) -2").first?.comparator.rawValue == symbol)
            #expect(try clauses("attributes.start_time \(symbol) 10").first?.comparator.rawValue == symbol)
        }
        #expect(try clauses("params.p ILIKE 'A%'").first?.comparator == .ilike)
        #expect(try clauses("tags.t IS NULL") == [clause(.tag("t"), .isNull, .none)])
        #expect(try clauses("tags.t is not null") == [clause(.tag("t"), .isNotNull, .none)])
        #expect(try clauses("run_id IN ('a', 'b')") == [clause(.attribute("run_id"), .in, .list(["a", "b"]))])
        #expect(try clauses("attributes.run_id NOT IN ('a')") == [clause(.attribute("run_id"), .notIn, .list(["a"]))])
    }

    @Test func clausesAreJoinedByAndOnly() throws {
        #expect(try clauses("metrics.a > 1 and params.b = 'x' AND tags.c = 'y'").count == 3)
        #expect(throws: MLflowError.invalid("Invalid clause(s) in filter string: 'OR'")) {
            try FilterParser.parse("metrics.a > 1 OR metrics.b > 1", schema: .runs)
        }
    }

    @Test(arguments: [
        "metrics.x = 'abc'", "params.p = 1", "params.p > 'a'", "metrics.m LIKE 'x'", "status IN ('A')",
        "attributes.start_time = 'x'", "unknown = 'x'", "foo.bar = 'x'", "params.p = ", "metrics.m <", "tags.t IS 'x'",
        "run_id IN 'a'", "datasets.size = 'x'", "params.`unterminated = 'x'",
    ])
    func badClausesAreRefused(filter: String) {
        #expect(throws: MLflowError.self) { try FilterParser.parse(filter, schema: .runs) }
    }

    @Test func orderingsParse() throws {
        #expect(
            try FilterParser.ordering("metrics.loss DESC", schema: .runs)
                == SearchOrdering(subject: .metric("loss"), ascending: false))
        #expect(try FilterParser.ordering("params.a", schema: .runs) == SearchOrdering(subject: .param("a"), ascending: true))
        #expect(
            try FilterParser.ordering("tags.`x y` desc", schema: .runs) == SearchOrdering(subject: .tag("x y"), ascending: false))
        #expect(
            try FilterParser.ordering("attributes.start_time ASC", schema: .runs)
                == SearchOrdering(subject: .attribute("start_time"), ascending: true))
        #expect(
            try FilterParser.ordering("run_name", schema: .runs)
                == SearchOrdering(subject: .attribute("run_name"), ascending: true))
        #expect(throws: MLflowError.self) { try FilterParser.ordering("metrics.loss SIDEWAYS", schema: .runs) }
        #expect(throws: MLflowError.self) { try FilterParser.ordering("nonsense.key", schema: .runs) }
    }
}

@Suite struct FilterSchemaTests {
    @Test func loggedModelsTakeTheirOwnAttributesAndNoDatasets() throws {
        let clauses = try FilterParser.parse("name = 'model' AND creation_time > 5 AND tags.t LIKE 'a%'", schema: .loggedModels)
            .clauses
        #expect(clauses.map(\.subject) == [.attribute("name"), .attribute("creation_timestamp"), .tag("t")])
        #expect(throws: MLflowError.self) { try FilterParser.parse("datasets.name = 'x'", schema: .loggedModels) }
        #expect(throws: MLflowError.self) { try FilterParser.parse("run_name = 'x'", schema: .loggedModels) }
        #expect(throws: MLflowError.self) { try FilterParser.parse("tags.t IS NULL", schema: .loggedModels) }
    }

    @Test func experimentsTakeNamesTimesAndTags() throws {
        let clauses = try FilterParser.parse("name LIKE 'exp%' AND creation_time >= 1 AND tags.team = 'ml'", schema: .experiments)
            .clauses
        #expect(clauses.count == 3)
        #expect(throws: MLflowError.self) { try FilterParser.parse("metrics.loss < 1", schema: .experiments) }
        #expect(throws: MLflowError.self) { try FilterParser.parse("name IN ('a')", schema: .experiments) }
    }
}
