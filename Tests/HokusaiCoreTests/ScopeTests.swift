import Testing

@testable import HokusaiCore

@Suite struct ScopeTests {
    @Test func higherScopesImplyLowerOnes() {
        let admin = ScopeSet([.admin])
        #expect(admin.allows(.read) && admin.allows(.write) && admin.allows(.admin))
        let write = ScopeSet([.write])
        #expect(write.allows(.read) && write.allows(.write) && !write.allows(.admin))
        let read = ScopeSet([.read])
        #expect(read.allows(.read) && !read.allows(.write))
        #expect(!ScopeSet([]).allows(.read))
    }

    @Test(arguments: [
        ("model:read", Scope.read), ("mlflow:read", .read), ("model:write", .write), ("mlflow:write", .write),
        ("mlflow:access", .write), ("full_access", .write), ("mlflow:admin", .admin), ("ADMIN", .admin),
    ])
    func referenceScopeNamesAreAliases(name: String, scope: Scope) {
        #expect(Scope(name: name) == scope)
    }

    @Test func unknownScopesAreReportedNotDropped() {
        #expect(ScopeSet.parse(["read", "superuser"]) == .failure(ScopeSet.UnknownScope(name: "superuser")))
    }
}
