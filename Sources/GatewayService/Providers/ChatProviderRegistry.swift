import AsyncHTTPClient
import Core

/// The chat providers this process can call: the demo always, the others when their key is set.
func chatProviders(settings: GatewaySettings, httpClient: HTTPClient) -> [String: any ChatProvider] {
    var providers: [String: any ChatProvider] = ["demo": DemoChatProvider(wordDelay: settings.demoWordDelay)]
    if let openAI = settings.openAI {
        providers["openai"] = OpenAIChatProvider(
            apiKey: openAI.key, baseURL: openAI.baseURL, client: httpClient,
            timeout: .seconds(Int64(settings.providerTimeout)))
    }
    return providers
}
