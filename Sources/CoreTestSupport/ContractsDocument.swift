import Core
import Foundation

/// Renders docs/API_CONTRACTS.md from the services' OpenAPI documents and error catalogues, so the
/// document is checked against what the services serve and cannot drift.
public enum ContractsDocument {
    public struct Service {
        public let name: String
        public let openAPI: [String: Any]
        public let errors: [AppError]

        public init(name: String, openAPI: [String: Any], errors: [AppError]) {
            self.name = name
            self.openAPI = openAPI
            self.errors = errors
        }
    }

    public static func render(_ services: [Service]) -> String {
        var out = """
            # API contracts

            Generated from the OpenAPI documents the services serve (`GET /v1/openapi.json` on the backend,
            `GET /v1/gateway/openapi.json` on the gateway) and from their error catalogues. Do not edit by
            hand: run `RECORD_CONTRACTS=1 scripts/test.sh --filter ContractsTests` after changing an endpoint.

            Conventions for every endpoint:
            - JSON in and out (UTF-8). Times are ISO 8601 in UTC; money is integer fils (1 JOD = 1000 fils).
            - Errors: `{"error":{"code","message","message_ar"}}` plus, where relevant, `field`, `upgrade_url`,
              `retry_after`. 429 answers carry `Retry-After` (seconds).
            - Every response carries a W3C `traceparent`; send one to join an existing trace.
            - Signed-in endpoints accept the `session` cookie (httpOnly, SameSite=Lax) or `Authorization: Bearer`.
              With the cookie, POST/PUT/PATCH/DELETE must send `X-CSRF-Token` equal to the `csrf_token` cookie.

            """
        for service in services {
            out += "\n## \(service.name)\n"
            let paths = service.openAPI["paths"] as? [String: [String: Any]] ?? [:]
            for path in paths.keys.sorted() {
                for method in ["get", "post", "put", "patch", "delete"] {
                    guard let operation = paths[path]?[method] as? [String: Any] else { continue }
                    out += "\n### `\(method.uppercased()) \(path)`\n\n"
                    out += (operation["summary"] as? String ?? "") + "\n"
                    if let description = operation["description"] as? String { out += "\n\(description)\n" }
                    if operation["security"] != nil { out += "\nSigned in.\n" }
                    if let body = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any] {
                        for (type, content) in body.sorted(by: { $0.key < $1.key }) {
                            out +=
                                "\nRequest (`\(type)`):\n\n```json\n\(schemaText((content as? [String: Any])?["schema"]))\n```\n"
                        }
                    }
                    out += "\n| status | meaning | error codes |\n|---|---|---|\n"
                    let responses = operation["responses"] as? [String: [String: Any]] ?? [:]
                    for status in responses.keys.sorted() {
                        let response = responses[status] ?? [:]
                        let codes = (response["x-error-codes"] as? [String] ?? []).map { "`\($0)`" }.joined(
                            separator: ", ")
                        out += "| \(status) | \(response["description"] as? String ?? "") | \(codes) |\n"
                    }
                }
            }
            out +=
                "\n### Error codes of the \(service.name)\n\n| code | HTTP | English | العربية |\n|---|---|---|---|\n"
            var seen = Set<String>()
            for error in service.errors where seen.insert(error.code + error.message).inserted {
                out += "| `\(error.code)` | \(error.status.code) | \(error.message) | \(error.messageAr) |\n"
            }
        }
        return out
    }

    static func schemaText(_ schema: Any?) -> String {
        guard let schema, JSONSerialization.isValidJSONObject(schema),
            let data = try? JSONSerialization.data(
                withJSONObject: schema, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
