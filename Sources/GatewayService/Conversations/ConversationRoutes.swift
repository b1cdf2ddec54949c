import Core
import Foundation
import Hummingbird

/// `GET/POST/PATCH/DELETE /v1/conversations…`: list (with Arabic-aware search), open, rename, delete.
struct ConversationRoutes {
    let conversations: ConversationRepository

    struct One: ResponseEncodable { let conversation: Conversation }
    struct Many: ResponseEncodable { let conversations: [Conversation] }
    struct Opened: ResponseEncodable {
        let conversation: Conversation
        let messages: [StoredMessage]
    }

    struct Edit: Decodable {
        let title: String?
        let model: String?
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("conversations") { request, context in
            let limit = min(max(request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 50, 1), 200)
            return Many(
                conversations: try await conversations.list(
                    userID: try context.requireUser().id, query: request.uri.queryParameters.get("q"), limit: limit))
        }
        group.post("conversations") { request, context -> Response in
            let edit = try await request.decode(as: Edit.self, context: context)
            let created = try await conversations.create(
                userID: try context.requireUser().id, title: try Self.title(edit.title ?? "محادثة جديدة"),
                model: edit.model)
            var response = try One(conversation: created).response(from: request, context: context)
            response.status = .created
            return response
        }
        group.get("conversations/:id") { _, context in
            let conversation = try await owned(context)
            return Opened(
                conversation: conversation, messages: try await conversations.messages(conversationID: conversation.id))
        }
        group.patch("conversations/:id") { request, context in
            let conversation = try await owned(context)
            let edit = try await request.decode(as: Edit.self, context: context)
            guard let title = edit.title else {
                throw AppError.validation("Send a new title.", "أرسل عنوانًا جديدًا.", field: "title")
            }
            guard
                let renamed = try await conversations.rename(
                    id: conversation.id, userID: try context.requireUser().id, title: try Self.title(title))
            else { throw AppError.notFound }
            return One(conversation: renamed)
        }
        group.delete("conversations/:id") { _, context -> Response in
            let conversation = try await owned(context)
            _ = try await conversations.delete(id: conversation.id, userID: try context.requireUser().id)
            return Response(status: .noContent)
        }
    }

    func owned(_ context: GatewayRequestContext) async throws -> Conversation {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let conversation = try await conversations.find(id: id, userID: try context.requireUser().id)
        else { throw AppError.notFound }
        return conversation
    }

    static func title(_ raw: String) throws -> String {
        let title = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.count) else {
            throw AppError.validation(
                "A title needs 1 to 200 characters.", "يحتاج العنوان إلى ما بين 1 و200 حرف.", field: "title")
        }
        return title
    }
}
