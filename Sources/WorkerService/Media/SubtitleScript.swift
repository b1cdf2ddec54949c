import Core
import Foundation

/// ASS scripts for libass (ffmpeg's `ass` filter): burned-in video captions and the text layers of the
/// advanced image editor. libass shapes Arabic with HarfBuzz and orders right-to-left text with FriBidi,
/// which ffmpeg's `drawtext` on Debian does not.
enum SubtitleScript {
    /// `#rrggbb` as ASS writes colours: `&HAABBGGRR`, alpha 00 opaque.
    static func color(_ hex: String, alpha: UInt8 = 0) -> String {
        let digits = Array(hex.dropFirst().uppercased())
        guard digits.count == 6 else { return String(format: "&H%02X000000", alpha) }
        return String(format: "&H%02X", alpha) + String(digits[4...5] + digits[2...3] + digits[0...1])
    }

    /// `#rrggbb` as an override tag wants it: `&HBBGGRR&`.
    static func tagColor(_ hex: String) -> String { "&H" + color(hex).dropFirst(4) + "&" }

    static func time(_ value: Double) -> String {
        let centiseconds = Int((max(0, value) * 100).rounded())
        return String(
            format: "%d:%02d:%02d.%02d", centiseconds / 360_000, centiseconds / 6000 % 60, centiseconds / 100 % 60,
            centiseconds % 100)
    }

    /// ASS reads "{" as an override block and "\\N" as a line break: keep the user's text as text.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\u{29F5}").replacingOccurrences(of: "{", with: "(")
            .replacingOccurrences(of: "}", with: ")").replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\n", with: "\\N")
    }

    static func header(width: Int, height: Int, style: String) -> String {
        """
        [Script Info]
        ScriptType: v4.00+
        PlayResX: \(width)
        PlayResY: \(height)
        WrapStyle: 0
        ScaledBorderAndShadow: yes

        [V4+ Styles]
        Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
        \(style)

        [Events]
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text

        """
    }

    /// Captions in `style`, sized to the video (the size is percent of its height). A box is painted in
    /// the outline colour (libass's BorderStyle 3); "outline" draws round the letters instead.
    static func captions(
        _ captions: [JobPayloads.VideoEdit.Caption], style: EditOptions.CaptionStyle, width: Int, height: Int
    ) -> String {
        let size = max(16, Int(Double(height) * style.size / 100))
        let border: (style: Int, width: Int) =
            switch style.background {
            case .box: (3, max(2, size / 12))
            case .outline: (1, max(2, size / 12))
            case .none: (1, 0)
            }
        let alignment =
            switch style.position {
            case .bottom: 2
            case .middle: 5
            case .top: 8
            }
        let primary = color(style.color)
        let line =
            "Style: Default,\(style.font.family),\(size),\(primary),\(primary),\(color(style.backgroundColor)),"
            + "&H80000000,0,0,0,0,100,100,0,0,\(border.style),\(border.width),0,\(alignment),\(width / 20),"
            + "\(width / 20),\(height / 18),1"
        var script = header(width: width, height: height, style: line)
        for caption in captions {
            script +=
                "Dialogue: 0,\(time(caption.start)),\(time(caption.end)),Default,,0,0,0,,\(escape(caption.text))\n"
        }
        return script
    }

    /// Text layers on a picture of `width` × `height`: each centred on its point, bold, in its font, size,
    /// colour and outline. The events last an hour: the picture is a single frame at time 0.
    static func layers(_ layers: [EditOptions.TextLayer], width: Int, height: Int) -> String {
        let style =
            "Style: Layer,Noto Naskh Arabic,48,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,"
            + "1,0,0,5,0,0,0,1"
        var script = header(width: width, height: height, style: style)
        for layer in layers {
            let size = max(8, Int(Double(height) * layer.size / 100))
            let outline = Double(size) * layer.outline / 100
            let x = Int(Double(width) * layer.x / 100)
            let y = Int(Double(height) * layer.y / 100)
            let tags =
                "{\\an5\\pos(\(x),\(y))\\fn\(layer.font.family)\\fs\(size)\\1c\(tagColor(layer.color))"
                + "\\3c\(tagColor(layer.outlineColor))\\bord\(String(format: "%.1f", outline))\\shad0}"
            script += "Dialogue: 0,0:00:00.00,1:00:00.00,Layer,,0,0,0,,\(tags)\(escape(layer.text))\n"
        }
        return script
    }
}
