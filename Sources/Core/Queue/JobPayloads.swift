import Foundation

/// Payloads shared by the services that enqueue a job and the worker that runs it.
public enum JobPayloads {
    /// `upload_scan`: the quarantined file to check.
    public struct UploadScan: Codable, Sendable, Equatable {
        public let fileID: UUID

        public init(fileID: UUID) { self.fileID = fileID }

        enum CodingKeys: String, CodingKey { case fileID = "file_id" }
    }

    /// A quota reservation made by the gateway that the worker settles (or releases) when the job ends.
    public struct Reservation: Codable, Sendable, Equatable {
        public let kind: String
        public let amount: Int64
        public let member: String
        public let counterKey: String
        public let reservationsKey: String

        public init(kind: String, amount: Int64, member: String, counterKey: String, reservationsKey: String) {
            self.kind = kind
            self.amount = amount
            self.member = member
            self.counterKey = counterKey
            self.reservationsKey = reservationsKey
        }

        enum CodingKeys: String, CodingKey {
            case kind, amount, member
            case counterKey = "counter_key"
            case reservationsKey = "reservations_key"
        }
    }

    /// `video_finalize` (poll the provider's operation) and `video_demo` (draw it locally with ffmpeg).
    public struct VideoGenerate: Codable, Sendable, Equatable {
        public let jobID: UUID
        public let userID: UUID
        public let model: String
        public let provider: String
        public let upstream: String
        public let prompt: String
        public let durationSeconds: Int
        public let aspectRatio: String
        /// The provider's long-running operation (Veo: `models/…/operations/…`); nil for the demo.
        public let operation: String?
        public let reservation: Reservation

        public init(
            jobID: UUID, userID: UUID, model: String, provider: String, upstream: String, prompt: String,
            durationSeconds: Int, aspectRatio: String, operation: String?, reservation: Reservation
        ) {
            self.jobID = jobID
            self.userID = userID
            self.model = model
            self.provider = provider
            self.upstream = upstream
            self.prompt = prompt
            self.durationSeconds = durationSeconds
            self.aspectRatio = aspectRatio
            self.operation = operation
            self.reservation = reservation
        }

        enum CodingKeys: String, CodingKey {
            case model, provider, upstream, prompt, operation, reservation
            case jobID = "job_id"
            case userID = "user_id"
            case durationSeconds = "duration_s"
            case aspectRatio = "aspect_ratio"
        }
    }

    /// `payments_webhooks`: a stored provider notification (a `payment_events` row) to apply.
    public struct PaymentEvent: Codable, Sendable, Equatable {
        public let eventID: UUID

        public init(eventID: UUID) { self.eventID = eventID }

        enum CodingKeys: String, CodingKey { case eventID = "event_id" }
    }

    /// `doc_extract`: the text of a user's PDF, DOCX or TXT file, page by page (OCR where a PDF page has
    /// no text layer), stored in `file_texts`.
    public struct DocExtract: Codable, Sendable, Equatable {
        public let jobID: UUID
        public let userID: UUID
        public let fileID: UUID

        public init(jobID: UUID, userID: UUID, fileID: UUID) {
            self.jobID = jobID
            self.userID = userID
            self.fileID = fileID
        }

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case userID = "user_id"
            case fileID = "file_id"
        }
    }

    /// `doc_convert`: a user's DOCX or PPTX file to turn into a PDF (the `jobs` row gets the result file).
    public struct DocConvert: Codable, Sendable, Equatable {
        public let jobID: UUID
        public let userID: UUID
        public let fileID: UUID
        public let target: String

        public init(jobID: UUID, userID: UUID, fileID: UUID, target: String = "pdf") {
            self.jobID = jobID
            self.userID = userID
            self.fileID = fileID
            self.target = target
        }

        enum CodingKeys: String, CodingKey {
            case target
            case jobID = "job_id"
            case userID = "user_id"
            case fileID = "file_id"
        }
    }

    /// `video_edit`: trim a user's video and burn captions into it (times in seconds of the original clip).
    public struct VideoEdit: Codable, Sendable, Equatable {
        public struct Caption: Codable, Sendable, Equatable {
            public let start: Double
            public let end: Double
            public let text: String

            public init(start: Double, end: Double, text: String) {
                self.start = start
                self.end = end
                self.text = text
            }
        }

        public let jobID: UUID
        public let userID: UUID
        public let fileID: UUID
        public let start: Double
        public let end: Double?
        public let captions: [Caption]
        /// The advanced editor (Creator): the captions' look, clips played after this one (whole), and
        /// fades at the start and the end of the result, in seconds. Absent in a plain edit.
        public let style: EditOptions.CaptionStyle?
        public let join: [UUID]?
        public let fadeIn: Double?
        public let fadeOut: Double?

        public init(
            jobID: UUID, userID: UUID, fileID: UUID, start: Double, end: Double?, captions: [Caption],
            style: EditOptions.CaptionStyle? = nil, join: [UUID]? = nil, fadeIn: Double? = nil, fadeOut: Double? = nil
        ) {
            self.jobID = jobID
            self.userID = userID
            self.fileID = fileID
            self.start = start
            self.end = end
            self.captions = captions
            self.style = style
            self.join = join
            self.fadeIn = fadeIn
            self.fadeOut = fadeOut
        }

        enum CodingKeys: String, CodingKey {
            case start, end, captions, style, join
            case jobID = "job_id"
            case userID = "user_id"
            case fileID = "file_id"
            case fadeIn = "fade_in"
            case fadeOut = "fade_out"
        }
    }

    /// `image_edit` (the advanced image editor): a user's picture resized to a social format, its
    /// brightness, contrast and saturation changed (−100…100, 0 leaves it), and text layers drawn on it.
    public struct ImageEdit: Codable, Sendable, Equatable {
        public let jobID: UUID
        public let userID: UUID
        public let fileID: UUID
        public let brightness: Double
        public let contrast: Double
        public let saturation: Double
        public let layers: [EditOptions.TextLayer]
        public let preset: EditOptions.Preset?
        public let fit: EditOptions.Fit
        /// The bands' colour when `fit` is `contain`.
        public let background: String
        public let format: FileType

        public init(
            jobID: UUID, userID: UUID, fileID: UUID, brightness: Double = 0, contrast: Double = 0,
            saturation: Double = 0, layers: [EditOptions.TextLayer] = [], preset: EditOptions.Preset? = nil,
            fit: EditOptions.Fit = .cover, background: String = "#000000", format: FileType = .png
        ) {
            self.jobID = jobID
            self.userID = userID
            self.fileID = fileID
            self.brightness = brightness
            self.contrast = contrast
            self.saturation = saturation
            self.layers = layers
            self.preset = preset
            self.fit = fit
            self.background = background
            self.format = format
        }

        enum CodingKeys: String, CodingKey {
            case brightness, contrast, saturation, layers, preset, fit, background, format
            case jobID = "job_id"
            case userID = "user_id"
            case fileID = "file_id"
        }
    }

    /// `thumbnail`: a small JPEG preview of a user's image or video file.
    public struct Thumbnail: Codable, Sendable, Equatable {
        public let fileID: UUID

        public init(fileID: UUID) { self.fileID = fileID }

        enum CodingKeys: String, CodingKey { case fileID = "file_id" }
    }
}
