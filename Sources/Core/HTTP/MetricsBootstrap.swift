import Metrics
import Prometheus

public enum StudioMetrics {
    /// Installs a Prometheus factory as the process's metrics backend; call once from `main`.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (name.replacingOccurrences(of: ".", with: "_"), labels)
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
