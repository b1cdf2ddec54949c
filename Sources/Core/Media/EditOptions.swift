import Foundation

/// The advanced editors' settings (the Creator plan's `advanced_editors`): the backend checks them, the
/// worker applies them with ffmpeg and libass (which shapes Arabic with HarfBuzz and orders it with FriBidi).
public enum EditOptions {
    /// The Arabic-capable typefaces text layers and captions may use (fonts-noto-core on every image).
    public enum Font: String, Codable, Sendable, CaseIterable {
        case sans, naskh, kufi

        /// The fontconfig family libass asks for.
        public var family: String {
            switch self {
            case .sans: "Noto Sans Arabic"
            case .naskh: "Noto Naskh Arabic"
            case .kufi: "Noto Kufi Arabic"
            }
        }
    }

    /// Export sizes of the social networks' formats.
    public enum Preset: String, Codable, Sendable, CaseIterable {
        case instagramSquare = "instagram_square"
        case instagramPortrait = "instagram_portrait"
        case story
        case facebookPost = "facebook_post"
        case xPost = "x_post"
        case linkedinPost = "linkedin_post"
        case youtubeThumbnail = "youtube_thumbnail"

        public var width: Int {
            switch self {
            case .instagramSquare, .instagramPortrait, .story: 1080
            case .facebookPost, .linkedinPost: 1200
            case .xPost: 1600
            case .youtubeThumbnail: 1280
            }
        }

        public var height: Int {
            switch self {
            case .instagramSquare: 1080
            case .instagramPortrait: 1350
            case .story: 1920
            case .facebookPost: 630
            case .linkedinPost: 627
            case .xPost: 900
            case .youtubeThumbnail: 720
            }
        }
    }

    /// How a picture meets a preset of another shape: filled and cut at the edges, or whole with bands.
    public enum Fit: String, Codable, Sendable, CaseIterable { case cover, contain }

    public enum Position: String, Codable, Sendable, CaseIterable { case top, middle, bottom }

    /// Behind caption text: a box, an outline round the letters, or nothing.
    public enum Background: String, Codable, Sendable, CaseIterable { case box, outline, none }

    /// `#rrggbb`, as a colour input gives it.
    public static func isColor(_ text: String) -> Bool {
        text.count == 7 && text.first == "#" && text.dropFirst().allSatisfy(\.isHexDigit)
    }

    /// A caption look for burned-in video captions. Sizes are percent of the video's height.
    public struct CaptionStyle: Codable, Sendable, Equatable {
        public var size: Double
        public var color: String
        public var background: Background
        public var backgroundColor: String
        public var position: Position
        public var font: Font

        public static let standard = CaptionStyle()

        public init(
            size: Double = 7, color: String = "#ffffff", background: Background = .box,
            backgroundColor: String = "#000000", position: Position = .bottom, font: Font = .sans
        ) {
            self.size = size
            self.color = color
            self.background = background
            self.backgroundColor = backgroundColor
            self.position = position
            self.font = font
        }

        enum CodingKeys: String, CodingKey {
            case size, color, background, position, font
            case backgroundColor = "background_color"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let standard = CaptionStyle()
            size = try container.decodeIfPresent(Double.self, forKey: .size) ?? standard.size
            color = try container.decodeIfPresent(String.self, forKey: .color) ?? standard.color
            background = try container.decodeIfPresent(Background.self, forKey: .background) ?? standard.background
            backgroundColor =
                try container.decodeIfPresent(String.self, forKey: .backgroundColor) ?? standard.backgroundColor
            position = try container.decodeIfPresent(Position.self, forKey: .position) ?? standard.position
            font = try container.decodeIfPresent(Font.self, forKey: .font) ?? standard.font
        }

        public func validate() throws {
            guard (3...15).contains(size), EditOptions.isColor(color), EditOptions.isColor(backgroundColor) else {
                throw AppError.validation(
                    "Caption size is 3 to 15 (percent of the height) and colours are #rrggbb.",
                    "حجم الترجمة من 3 إلى 15 (نسبة من الارتفاع) والألوان بالشكل ‎#rrggbb.", field: "caption_style")
            }
        }
    }

    /// One line of text on a picture: its centre at `x`, `y` percent of the width and height, its size in
    /// percent of the height, an outline `outline` percent of the text size thick.
    public struct TextLayer: Codable, Sendable, Equatable {
        public var text: String
        public var font: Font
        public var size: Double
        public var color: String
        public var outline: Double
        public var outlineColor: String
        public var x: Double
        public var y: Double

        public init(
            text: String, font: Font = .naskh, size: Double = 8, color: String = "#ffffff", outline: Double = 8,
            outlineColor: String = "#000000", x: Double = 50, y: Double = 85
        ) {
            self.text = text
            self.font = font
            self.size = size
            self.color = color
            self.outline = outline
            self.outlineColor = outlineColor
            self.x = x
            self.y = y
        }

        enum CodingKeys: String, CodingKey {
            case text, font, size, color, outline, x, y
            case outlineColor = "outline_color"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let standard = TextLayer(text: "")
            text = try container.decode(String.self, forKey: .text)
            font = try container.decodeIfPresent(Font.self, forKey: .font) ?? standard.font
            size = try container.decodeIfPresent(Double.self, forKey: .size) ?? standard.size
            color = try container.decodeIfPresent(String.self, forKey: .color) ?? standard.color
            outline = try container.decodeIfPresent(Double.self, forKey: .outline) ?? standard.outline
            outlineColor = try container.decodeIfPresent(String.self, forKey: .outlineColor) ?? standard.outlineColor
            x = try container.decodeIfPresent(Double.self, forKey: .x) ?? standard.x
            y = try container.decodeIfPresent(Double.self, forKey: .y) ?? standard.y
        }

        public func validate() throws {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, text.count <= 200, (2...30).contains(size), (0...25).contains(outline),
                (0...100).contains(x), (0...100).contains(y), EditOptions.isColor(color),
                EditOptions.isColor(outlineColor)
            else {
                throw AppError.validation(
                    "Each text layer needs 1 to 200 characters, a size of 2 to 30, an outline of 0 to 25, "
                        + "a position of 0 to 100 and #rrggbb colours.",
                    "تحتاج كل طبقة نص إلى 1 حتى 200 حرف، وحجم من 2 إلى 30، وحدّ من 0 إلى 25، وموضع من 0 إلى 100، "
                        + "وألوان بالشكل ‎#rrggbb.", field: "layers")
            }
        }
    }
}
