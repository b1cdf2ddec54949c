import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore

/// OpenAI's moderation endpoint (`omni-moderation-latest`), used when an OpenAI key is set.
/// If it cannot be reached the request goes on with the local check alone (logged): a moderation
/// outage must not stop every chat in the studio.
struct OpenAIModerator: Moderator {
    let apiKey: String
    let baseURL: String
    let client: ProviderClient
    let logger: Logger
    /// Shared by every request this moderator checks: only texts it has not passed yet are sent.
    let approved = ApprovedTexts()

    func check(_ texts: [String]) async throws -> ModerationVerdict {
        var seen = Set<String>()
        let unapproved = approved.unapproved(texts.filter { !$0.isEmpty && seen.insert($0).inserted })
        let inputs = unapproved.map(\.text)
        guard !inputs.isEmpty else { return .allowed }
        let request = try ProviderHTTP.jsonPOST(
            baseURL, "/v1/moderations", headers: [("Authorization", "Bearer \(apiKey)")],
            body: ["model": "omni-moderation-latest", "input": inputs])
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 200 else {
                logger.warning("moderation service answered \(response.status.code); local check only")
                return .allowed
            }
            let answer = try JSONValue.parse(body.readableBytesView)
            guard let results = answer["results"]?.array else {
                logger.warning("moderation answer without results; local check only")
                return .allowed
            }
            for result in results where result["flagged"]?.bool == true {
                let categories = (result["categories"]?.object ?? [:]).filter { $0.value.bool == true }
                return ModerationVerdict(blocked: true, category: categories.keys.sorted().first ?? "flagged")
            }
            // One result per input, none flagged: these need not be sent again.
            if results.count == inputs.count { approved.insert(unapproved.map(\.key)) }
            return .allowed
        } catch {
            logger.warning("moderation service unreachable; local check only", metadata: ["error": "\(error)"])
            return .allowed
        }
    }
}

/// Runs moderators in order and stops at the first that blocks (the cheap local check first).
struct ModerationChain: Moderator {
    let moderators: [any Moderator]

    func check(_ texts: [String]) async throws -> ModerationVerdict {
        for moderator in moderators {
            let verdict = try await moderator.check(texts)
            if verdict.blocked { return verdict }
        }
        return .allowed
    }
}
