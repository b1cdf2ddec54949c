import Logging

extension LoggingSystem {
    /// Installs the JSON handler for the whole process; call once from `main`.
    public static func bootstrapJSON(service: String, level: Logger.Level) {
        bootstrap { label in JSONLogHandler(label: label, service: service, level: level) }
    }
}
