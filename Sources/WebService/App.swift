import AsyncHTTPClient
import Core

@main
struct WebMain {
    static func main() async {
        await ServiceBoot.main(service: "web", settings: WebSettings.init, logLevel: \.common.logLevel) {
            settings, registry, logger in
            try buildApplication(settings: settings, httpClient: .studioInternal(), registry: registry, logger: logger)
        }
    }
}
