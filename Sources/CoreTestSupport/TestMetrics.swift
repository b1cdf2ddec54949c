import Core
import Prometheus

/// The process-wide metrics registry for tests: swift-metrics can be bootstrapped only once.
public enum TestMetrics {
    public static let registry: PrometheusCollectorRegistry = StudioMetrics.bootstrap()
}
