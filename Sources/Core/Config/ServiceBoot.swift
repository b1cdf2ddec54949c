import Foundation
import Logging

/// Boot-time helpers shared by the four `@main` types.
public enum ServiceBoot {
    /// Loads the environment, resolves `aws:secretsmanager:` references and builds typed settings.
    /// On any failure prints one line naming the key and the reason, and exits with status 78 (EX_CONFIG).
    public static func loadSettings<Settings>(
        service: String, _ build: (ConfigSource) throws -> Settings
    ) async -> (Settings, ConfigSource) {
        do {
            let raw = ConfigSource.load()
            let source = try await SecretResolver.fromEnvironment(raw).resolve(raw)
            return (try build(source), source)
        } catch {
            let line = (error as? ConfigError)?.description ?? "configuration error: \(error)"
            FileHandle.standardError.write(Data("\(service): \(line)\n".utf8))
            exit(78)
        }
    }
}
