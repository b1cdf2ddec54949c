import AsyncHTTPClient
import Core

/// The chat providers this process can call: the demo always, the others when their key is set.
func chatProviders(settings: GatewaySettings, client: ProviderClient) -> [String: any ChatProvider] {
    var providers: [String: any ChatProvider] = ["demo": DemoChatProvider(wordDelay: settings.demoWordDelay)]
    if let openAI = settings.openAI {
        providers["openai"] = OpenAIChatProvider(
            apiKey: openAI.key, baseURL: openAI.baseURL, client: client,
            timeout: settings.providerTimeAmount)
    }
    if let anthropic = settings.anthropic {
        providers["anthropic"] = AnthropicChatProvider(
            apiKey: anthropic.key, baseURL: anthropic.baseURL, client: client,
            timeout: settings.providerTimeAmount)
    }
    if let google = settings.google {
        providers["google"] = GeminiChatProvider(
            apiKey: google.key, baseURL: google.baseURL, client: client,
            timeout: settings.providerTimeAmount)
    }
    return providers
}

/// The image providers this process can call: the demo always, Nano Banana, Replicate and Stability
/// when their keys are set.
func imageProviders(settings: GatewaySettings, httpClient: HTTPClient) -> [String: any ImageProvider] {
    var providers: [String: any ImageProvider] = ["demo": DemoImageProvider()]
    if let key = settings.nanoBanana {
        providers["google"] = GeminiImageProvider(
            apiKey: key.key, baseURL: key.baseURL, client: httpClient,
            timeout: settings.providerTimeAmount)
    }
    if let key = settings.replicate {
        providers["replicate"] = ReplicateImageProvider(
            apiKey: key.key, baseURL: key.baseURL, client: httpClient,
            timeout: settings.providerTimeAmount)
    }
    if let key = settings.stability {
        providers["stability"] = StabilityImageProvider(
            apiKey: key.key, baseURL: key.baseURL, client: httpClient,
            timeout: settings.providerTimeAmount)
    }
    return providers
}

/// The video providers this process can start: the demo (made by the worker) always, Veo when its key is set.
func videoProviders(settings: GatewaySettings, httpClient: HTTPClient) -> [String: any VideoProvider] {
    var providers: [String: any VideoProvider] = ["demo": DemoVideoProvider()]
    if let key = settings.veo {
        providers["google"] = VeoVideoProvider(
            apiKey: key.key, baseURL: key.baseURL, client: httpClient,
            timeout: .seconds(Int64(min(settings.providerTimeout, 60))))
    }
    if let key = settings.runway {
        providers["runway"] = RunwayVideoProvider(
            apiKey: key.key, baseURL: key.baseURL, client: httpClient,
            timeout: .seconds(Int64(min(settings.providerTimeout, 60))))
    }
    return providers
}
