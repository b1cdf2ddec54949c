import Foundation

/// One meter of the wallet: what was used against what is allowed this period.
public struct UsageMeter: Sendable, Equatable, Codable {
    public let used: Int64
    public let limit: Int64
    /// Whole percent, 0 when nothing is allowed and nothing used.
    public let percent: Int
    /// At or above the warning threshold (80% by default).
    public let warn: Bool
    /// Nothing more may be used.
    public let blocked: Bool

    public init(used: Int64, limit: Int64, warnAt: Double = 0.8) {
        self.used = used
        self.limit = limit
        if limit <= 0 {
            percent = used > 0 ? 100 : 0
            warn = true
            blocked = true
        } else {
            let ratio = Double(used) / Double(limit)
            percent = Int((ratio * 100).rounded(.down))
            warn = ratio >= warnAt
            blocked = used >= limit
        }
    }
}

/// The wallet of one user for the current period: the one source the TokenMeter reads.
public struct UsageSummary: Sendable, Equatable, Codable {
    public struct Period: Sendable, Equatable, Codable {
        public let start: Date
        public let end: Date
        public let resetsAt: Date

        enum CodingKeys: String, CodingKey {
            case start, end
            case resetsAt = "resets_at"
        }
    }

    public let plan: Plan?
    public let subscriptionStatus: String?
    public let period: Period?
    public let tokens: UsageMeter
    public let images: UsageMeter
    public let videos: UsageMeter

    public var warn: Bool { tokens.warn || images.warn || videos.warn }
    public var blocked: Bool { tokens.blocked || images.blocked || videos.blocked }

    enum CodingKeys: String, CodingKey {
        case plan, period, tokens, images, videos, warn, blocked
        case subscriptionStatus = "subscription_status"
    }

    public init(
        plan: Plan?, subscriptionStatus: String?, period: Period?, tokens: UsageMeter, images: UsageMeter,
        videos: UsageMeter
    ) {
        self.plan = plan
        self.subscriptionStatus = subscriptionStatus
        self.period = period
        self.tokens = tokens
        self.images = images
        self.videos = videos
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        plan = try container.decodeIfPresent(Plan.self, forKey: .plan)
        subscriptionStatus = try container.decodeIfPresent(String.self, forKey: .subscriptionStatus)
        period = try container.decodeIfPresent(Period.self, forKey: .period)
        tokens = try container.decode(UsageMeter.self, forKey: .tokens)
        images = try container.decode(UsageMeter.self, forKey: .images)
        videos = try container.decode(UsageMeter.self, forKey: .videos)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(plan, forKey: .plan)
        try container.encode(subscriptionStatus, forKey: .subscriptionStatus)
        try container.encode(period, forKey: .period)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(images, forKey: .images)
        try container.encode(videos, forKey: .videos)
        try container.encode(warn, forKey: .warn)
        try container.encode(blocked, forKey: .blocked)
    }
}
