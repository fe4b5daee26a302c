import ArgumentParser
import Foundation
import HokusaiCore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage API keys, on the store directly (--data-dir / --database-url) or through a server (--url).",
        subcommands: [Create.self, List.self, Show.self, Revoke.self, Rotate.self])
}

extension KeysCommand {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a key. The key is printed once and never again.")

        @Option(help: "A name for the key (default: \"cli key\").") var name: String?
        @Flag(help: "Grant the admin scope (key management and every other scope).") var admin = false
        @Option(
            name: .customLong("user-id"),
            help: "Owner (offline default: admin with --admin; through --url: the calling key's user).") var userId: String?
        @Option(help: "Owner's email.") var email: String?
        @Option(name: .customLong("service-id"), help: "Service the key is for (default platform).") var serviceId: String?
        @Option(help: "production (hk_live_), test (hk_test_) or development (hk_dev_); default production.") var environment:
            String?
        @Option(name: .customLong("scope"), help: "A scope: read, write or admin (repeatable; default read and write).")
        var scopes: [String] = []
        @Option(name: .customLong("expires-in-days"), help: "Expiry, 1 to 365 days (default: never).") var expiresInDays: Int?
        @Option(name: .customLong("rate-limit"), help: "Requests per hour, 10 to 100000 (default 1000).") var rateLimit: Int?
        @Option(name: .customLong("billing-plan"), help: "Billing plan (default free).") var billingPlan: String?
        @OptionGroup var target: TargetOptions

        func run() async throws {
            var scopeNames = scopes
            if admin && !scopeNames.contains(where: { Scope(name: $0) == .admin }) { scopeNames.append("admin") }
            var owner = userId
            if owner == nil && !target.isRemote {
                guard admin else {
                    throw ValidationError("--user-id is required when creating a non-admin key on the store directly")
                }
                owner = "admin"
            }
            let request = KeyCreationRequest(
                name: name ?? (admin ? "admin key" : "cli key"), serviceId: serviceId, environment: environment,
                scopes: scopeNames.isEmpty ? nil : scopeNames, expiresInDays: expiresInDays, rateLimitPerHour: rateLimit,
                billingPlan: billingPlan, userId: owner, email: email)
            try await target.withKeys { backend in
                let data = try await backend.create(request, admin: admin)
                try target.emit(data, table: KeyOutput.issued)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys, newest first.")

        @Option(name: .customLong("user-id"), help: "Only this user's keys.") var userId: String?
        @Option(name: .customLong("service-id"), help: "Only keys for this service.") var serviceId: String?
        @Flag(name: .customLong("active-only"), help: "Only keys that work now.") var activeOnly = false
        @Option(help: "At most this many keys, 1 to 1000 (default 100).") var limit = 100
        @OptionGroup var target: TargetOptions

        func run() async throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
            try await target.withKeys { backend in
                let data = try await backend.list(userId: userId, serviceId: serviceId, activeOnly: activeOnly, limit: limit)
                try target.emit(data, table: KeyOutput.list)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one key.")
        @Argument(help: "The key's id (key_…).") var id: String
        @OptionGroup var target: TargetOptions

        func run() async throws {
            try await target.withKeys { backend in
                try target.emit(try await backend.show(id: id), table: KeyOutput.single)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key now.")
        @Argument(help: "The key's id (key_…).") var id: String
        @OptionGroup var target: TargetOptions

        func run() async throws {
            try await target.withKeys { backend in
                try target.emit(try await backend.revoke(id: id), table: KeyOutput.revoked)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a replacement with the same settings; the old key keeps working for the grace period.")
        @Argument(help: "The key's id (key_…).") var id: String
        @Option(
            name: .customLong("grace-seconds"),
            help: "How long the old key keeps working, 0 to 2592000 (default 86400), never past its expiry.")
        var graceSeconds: Int?
        @OptionGroup var target: TargetOptions

        func run() async throws {
            try await target.withKeys { backend in
                try target.emit(try await backend.rotate(id: id, graceSeconds: graceSeconds), table: KeyOutput.issued)
            }
        }
    }
}
