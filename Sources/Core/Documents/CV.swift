import Foundation

/// What the CV Maker's guided form sends.
public struct CVForm: Codable, Sendable, Equatable {
    public struct Experience: Codable, Sendable, Equatable {
        public var title: String
        public var company: String
        public var location: String?
        public var start: String?
        public var end: String?
        public var bullets: [String]?
    }

    public struct Education: Codable, Sendable, Equatable {
        public var degree: String
        public var school: String
        public var start: String?
        public var end: String?
        public var details: String?
    }

    public struct Language: Codable, Sendable, Equatable {
        public var name: String
        public var level: String?
    }

    public var fullName: String
    public var headline: String?
    public var email: String?
    public var phone: String?
    public var location: String?
    public var links: [String]?
    public var summary: String?
    public var skills: [String]?
    public var experience: [Experience]?
    public var education: [Education]?
    public var languages: [Language]?
    public var certifications: [String]?
    /// Gulf/Jordan style only.
    public var nationality: String?
    public var dateOfBirth: String?
    /// A picture the person uploaded (PNG or JPEG), shown at the top of a Gulf/Jordan style CV.
    public var photoFileID: UUID?

    enum CodingKeys: String, CodingKey {
        case headline, email, phone, location, links, summary, skills, experience, education, languages
        case certifications, nationality
        case fullName = "full_name"
        case dateOfBirth = "date_of_birth"
        case photoFileID = "photo_file_id"
    }

    public static let maxField = 2000
    public static let maxItems = 30

    /// Every text the person entered, in the order the CV shows it (tests look for each in the output).
    public func texts(style: CVRenderer.Style) -> [String] {
        var out = [fullName, headline, email, phone, location].compactMap { $0 } + (links ?? [])
        if style == .gulf { out += [nationality, dateOfBirth].compactMap { $0 } }
        out += [summary].compactMap { $0 }
        for job in experience ?? [] {
            out += [job.title, job.company, job.start, job.end, job.location].compactMap { $0 } + (job.bullets ?? [])
        }
        for school in education ?? [] {
            out += [school.degree, school.school, school.start, school.end, school.details].compactMap { $0 }
        }
        out += skills ?? []
        for language in languages ?? [] { out += [language.name, language.level].compactMap { $0 } }
        out += certifications ?? []
        return out.filter { !$0.isEmpty }
    }

    /// Refuses an empty name, oversized fields and lists, and control characters; trims everything else.
    public func validated() throws -> CVForm {
        func clean(_ text: String?, _ field: String) throws -> String? {
            try FormText.clean(text, field: field, max: Self.maxField)
        }
        func list<T>(_ items: [T]?, _ field: String) throws -> [T]? {
            try FormText.list(items, field: field, max: Self.maxItems)
        }
        var form = self
        guard let name = try clean(fullName, "full_name") else {
            throw AppError.validation("Enter your full name.", "أدخل اسمك الكامل.", field: "full_name")
        }
        guard name.count <= 120 else {
            throw AppError.validation(
                "The name is longer than 120 characters.", "الاسم أطول من 120 حرفًا.", field: "full_name")
        }
        form.fullName = name
        form.headline = try clean(headline, "headline")
        form.email = try clean(email, "email")
        if let email = form.email, !(email.contains("@") && !email.contains(" ")) {
            throw AppError.validation(
                "The e-mail address does not look right.", "عنوان البريد الإلكتروني غير صحيح.", field: "email")
        }
        form.phone = try clean(phone, "phone")
        form.location = try clean(location, "location")
        form.links = try list(links, "links")?.compactMap { try clean($0, "links") }
        form.summary = try clean(summary, "summary")
        form.skills = try list(skills, "skills")?.compactMap { try clean($0, "skills") }
        form.experience = try list(experience, "experience")?.map { job in
            var job = job
            guard let title = try clean(job.title, "experience.title"),
                let company = try clean(job.company, "experience.company")
            else {
                throw AppError.validation(
                    "Each job needs a title and a company.", "كل وظيفة تحتاج إلى مسمّى وجهة عمل.", field: "experience")
            }
            job.title = title
            job.company = company
            job.location = try clean(job.location, "experience.location")
            job.start = try clean(job.start, "experience.start")
            job.end = try clean(job.end, "experience.end")
            job.bullets = try list(job.bullets, "experience.bullets")?.compactMap {
                try clean($0, "experience.bullets")
            }
            return job
        }
        form.education = try list(education, "education")?.map { school in
            var school = school
            guard let degree = try clean(school.degree, "education.degree"),
                let name = try clean(school.school, "education.school")
            else {
                throw AppError.validation(
                    "Each education entry needs a degree and a school.", "كل مؤهل يحتاج إلى اسم الشهادة والجهة.",
                    field: "education")
            }
            school.degree = degree
            school.school = name
            school.start = try clean(school.start, "education.start")
            school.end = try clean(school.end, "education.end")
            school.details = try clean(school.details, "education.details")
            return school
        }
        form.languages = try list(languages, "languages")?.compactMap { language in
            guard let name = try clean(language.name, "languages.name") else { return nil }
            return Language(name: name, level: try clean(language.level, "languages.level"))
        }
        form.certifications = try list(certifications, "certifications")?.compactMap {
            try clean($0, "certifications")
        }
        form.nationality = try clean(nationality, "nationality")
        form.dateOfBirth = try clean(dateOfBirth, "date_of_birth")
        return form
    }
}

/// Lays a CV out as a plain, single-column Word document with standard section headings.
public enum CVRenderer {
    public enum Style: String, Codable, Sendable { case ats, gulf }
    public enum Language: String, Codable, Sendable { case ar, en }

    struct Headings {
        let summary, skills, experience, education, languages, certifications, personal, nationality, birth: String
    }

    static func headings(_ language: Language) -> Headings {
        switch language {
        case .ar:
            Headings(
                summary: "الملخص المهني", skills: "المهارات", experience: "الخبرة العملية", education: "التعليم",
                languages: "اللغات", certifications: "الشهادات", personal: "البيانات الشخصية",
                nationality: "الجنسية", birth: "تاريخ الميلاد")
        case .en:
            Headings(
                summary: "Professional Summary", skills: "Skills", experience: "Work Experience",
                education: "Education", languages: "Languages", certifications: "Certifications",
                personal: "Personal Details", nationality: "Nationality", birth: "Date of Birth")
        }
    }

    /// "2021 – 2024"; in Arabic "من 2021 إلى 2024", which also keeps the years in reading order when the
    /// line runs right to left.
    static func period(_ start: String?, _ end: String?, _ language: Language) -> String {
        switch (start, end, language) {
        case (let start?, let end?, .ar): "من \(start) إلى \(end)"
        case (let start?, let end?, .en): "\(start) – \(end)"
        case (let start?, nil, .ar): "منذ \(start)"
        case (let start?, nil, .en): "Since \(start)"
        case (nil, let end?, _): end
        case (nil, nil, _): ""
        }
    }

    /// A photo's width on the page: 3.5 cm (EMU), at most 4.5 cm high.
    public static let photoWidth = 1_260_000
    public static let photoMaxHeight = 1_620_000

    public static func document(
        _ form: CVForm, language: Language, style: Style, photo: DocxDocument.Picture? = nil
    ) -> DocxDocument {
        let h = headings(language)
        var doc = DocxDocument(
            title: form.fullName, language: language == .ar ? "ar-JO" : "en-US",
            direction: language == .ar ? .rightToLeft : .leftToRight)
        // The Gulf/Jordan style opens with the photo, inline on the reading side; ATS-strict never has one.
        if style == .gulf, let photo { doc.blocks.append(.picture(photo)) }
        doc.blocks.append(.title(form.fullName))
        if let headline = form.headline { doc.blocks.append(.paragraph([.init(headline, bold: true)])) }
        // Contact details in the body (ATS parsers skip headers and footers), one per line part.
        let contact = [form.email, form.phone, form.location].compactMap { $0 } + (form.links ?? [])
        if !contact.isEmpty { doc.blocks.append(.paragraph([.init(contact.joined(separator: " | "))])) }
        if style == .gulf, form.nationality != nil || form.dateOfBirth != nil {
            doc.blocks.append(.heading(h.personal, level: 1))
            if let nationality = form.nationality {
                doc.blocks.append(.paragraph([.init("\(h.nationality): ", bold: true), .init(nationality)]))
            }
            if let birth = form.dateOfBirth {
                doc.blocks.append(.paragraph([.init("\(h.birth): ", bold: true), .init(birth)]))
            }
        }
        if let summary = form.summary {
            doc.blocks.append(.heading(h.summary, level: 1))
            doc.blocks.append(.paragraph([.init(summary)]))
        }
        if let jobs = form.experience, !jobs.isEmpty {
            doc.blocks.append(.heading(h.experience, level: 1))
            for job in jobs {
                doc.blocks.append(.heading("\(job.title) — \(job.company)", level: 2))
                let when = period(job.start, job.end, language)
                let meta = [when.isEmpty ? nil : when, job.location].compactMap { $0 }.joined(separator: " | ")
                if !meta.isEmpty { doc.blocks.append(.paragraph([.init(meta, italic: true)])) }
                for bullet in job.bullets ?? [] { doc.blocks.append(.bullet([.init(bullet)])) }
            }
        }
        if let schools = form.education, !schools.isEmpty {
            doc.blocks.append(.heading(h.education, level: 1))
            for school in schools {
                doc.blocks.append(.heading("\(school.degree) — \(school.school)", level: 2))
                let when = period(school.start, school.end, language)
                if !when.isEmpty { doc.blocks.append(.paragraph([.init(when, italic: true)])) }
                if let details = school.details { doc.blocks.append(.paragraph([.init(details)])) }
            }
        }
        if let skills = form.skills, !skills.isEmpty {
            doc.blocks.append(.heading(h.skills, level: 1))
            for skill in skills { doc.blocks.append(.bullet([.init(skill)])) }
        }
        if let languages = form.languages, !languages.isEmpty {
            doc.blocks.append(.heading(h.languages, level: 1))
            for language in languages {
                let text = language.level.map { "\(language.name): \($0)" } ?? language.name
                doc.blocks.append(.bullet([.init(text)]))
            }
        }
        if let certifications = form.certifications, !certifications.isEmpty {
            doc.blocks.append(.heading(h.certifications, level: 1))
            for certification in certifications { doc.blocks.append(.bullet([.init(certification)])) }
        }
        return doc
    }
}
