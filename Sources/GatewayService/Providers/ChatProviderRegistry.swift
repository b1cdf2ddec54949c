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
    if let anthropic = settings.anthropic {
        providers["anthropic"] = AnthropicChatProvider(
            apiKey: anthropic.key, baseURL: anthropic.baseURL, client: httpClient,
            timeout: .seconds(Int64(settings.providerTimeout)))
    }
    if let google = settings.google {
        providers["google"] = GeminiChatProvider(
            apiKey: google.key, baseURL: google.baseURL, client: httpClient,
            timeout: .seconds(Int64(settings.providerTimeout)))
    }
    return providers
}

/// The image providers this process can call: the demo always, Nano Banana when its key is set.
func imageProviders(settings: GatewaySettings, httpClient: HTTPClient) -> [String: any ImageProvider] {
    var providers: [String: any ImageProvider] = ["demo": DemoImageProvider()]
    if let key = settings.nanoBanana {
        providers["google"] = GeminiImageProvider(
            apiKey: key.key, baseURL: key.baseURL, client: httpClient,
            timeout: .seconds(Int64(settings.providerTimeout)))
    }
    return providers
}
