import Metrics
import Prometheus

public enum StudioMetrics {
    /// Installs a Prometheus factory as the process's metrics backend; call once from `main`.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Called for every metric handle made, several times a request: names without a dot pass as they are.
        factory.nameAndLabelSanitizer = { name, labels in
            (name.utf8.contains(UInt8(ascii: ".")) ? name.replacingOccurrences(of: ".", with: "_") : name, labels)
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
