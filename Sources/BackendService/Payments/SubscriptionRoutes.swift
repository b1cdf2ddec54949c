import Core
import Foundation
import Hummingbird

/// The Account page's subscription and invoices: read, cancel at period end, resume.
struct SubscriptionRoutes {
    let subscriptions: SubscriptionRepository
    let invoices: InvoiceRepository
    let plans: PlanRepository

    struct SubscriptionView: Encodable {
        let id: UUID
        let planID: String
        let planName: String?
        let planNameAr: String?
        let status: String
        let periodStart: Date?
        let renewsAt: Date?
        let cancelAtPeriodEnd: Bool
        let provider: String
        enum CodingKeys: String, CodingKey {
            case id, status, provider
            case planID = "plan_id"
            case planName = "plan_name"
            case planNameAr = "plan_name_ar"
            case periodStart = "current_period_start"
            case renewsAt = "renews_at"
            case cancelAtPeriodEnd = "cancel_at_period_end"
        }
    }

    struct One: ResponseEncodable { let subscription: SubscriptionView? }

    struct InvoiceView: Encodable {
        let id: UUID
        let number: String
        let issuedAt: Date
        let description: String
        let descriptionAr: String
        let planID: String?
        let addonID: String?
        let amountFils: Int
        let amountJOD: String
        let currency: String
        let provider: String
        let providerRef: String?
        let periodStart: Date?
        let periodEnd: Date?
        let htmlURL: String

        init(_ invoice: InvoiceRecord) {
            id = invoice.id
            number = invoice.number
            issuedAt = invoice.issuedAt
            description = invoice.description
            descriptionAr = invoice.descriptionAr
            planID = invoice.planID
            addonID = invoice.addonID
            amountFils = invoice.amountFils
            amountJOD = Money.jod(fils: invoice.amountFils)
            currency = invoice.currency
            provider = invoice.provider
            providerRef = invoice.providerRef
            periodStart = invoice.periodStart
            periodEnd = invoice.periodEnd
            htmlURL = "/v1/invoices/\(invoice.id.uuidString.lowercased())?format=html"
        }

        enum CodingKeys: String, CodingKey {
            case id, number, description, currency, provider
            case issuedAt = "issued_at"
            case descriptionAr = "description_ar"
            case planID = "plan_id"
            case addonID = "addon_id"
            case amountFils = "amount_fils"
            case amountJOD = "amount_jod"
            case providerRef = "provider_ref"
            case periodStart = "period_start"
            case periodEnd = "period_end"
            case htmlURL = "html_url"
        }
    }

    struct InvoiceList: ResponseEncodable { let invoices: [InvoiceView] }
    struct InvoiceOne: ResponseEncodable { let invoice: InvoiceView }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.get("subscription") { _, context -> One in
            One(subscription: try await view(subscriptions.latest(userID: context.requireUser().id)))
        }
        group.post("subscription/cancel") { _, context -> One in
            guard let updated = try await subscriptions.setCancelAtPeriodEnd(userID: context.requireUser().id, true)
            else { throw AppError.noActiveSubscription }
            return One(subscription: try await view(updated))
        }
        group.post("subscription/renew") { _, context -> One in
            let user = try context.requireUser()
            guard let updated = try await subscriptions.setCancelAtPeriodEnd(userID: user.id, false) else {
                // Nothing active to resume: a new period needs a payment.
                throw AppError.paymentRequired
            }
            return One(subscription: try await view(updated))
        }
        group.get("invoices") { _, context -> InvoiceList in
            InvoiceList(invoices: try await invoices.list(userID: context.requireUser().id).map(InvoiceView.init))
        }
        group.get("invoices/:id") { request, context -> Response in
            let user = try context.requireUser()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let invoice = try await invoices.find(id: id, userID: user.id)
            else { throw AppError.notFound }
            if request.uri.queryParameters.get("format") == "html" {
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "text/html; charset=utf-8",
                        .contentDisposition: "inline; filename=\"\(invoice.number).html\"",
                    ],
                    body: .init(byteBuffer: ByteBuffer(string: InvoiceHTML.render(invoice, email: user.email))))
            }
            return try InvoiceOne(invoice: InvoiceView(invoice)).response(from: request, context: context)
        }
    }

    func view(_ record: SubscriptionRecord?) async throws -> SubscriptionView? {
        guard let record else { return nil }
        let plan = try await plans.plan(id: record.planID)
        return SubscriptionView(
            id: record.id, planID: record.planID, planName: plan?.name, planNameAr: plan?.nameAr, status: record.status,
            periodStart: record.periodStart, renewsAt: record.renewsAt, cancelAtPeriodEnd: record.cancelAtPeriodEnd,
            provider: record.provider)
    }
}

/// A bilingual invoice page (Arabic first, right to left), printable to PDF from the browser.
enum InvoiceHTML {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Amman")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    static func render(_ invoice: InvoiceRecord, email: String) -> String {
        let amount = "\(Money.jod(fils: invoice.amountFils)) \(invoice.currency)"
        return """
            <!doctype html>
            <html lang="ar" dir="rtl">
            <head>
            <meta charset="utf-8">
            <title>فاتورة \(escape(invoice.number)) — Invoice</title>
            <style>
            body { font-family: "Noto Naskh Arabic", "Amiri", "Noto Sans", sans-serif; margin: 2rem; color: #111; }
            table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
            th, td { border: 1px solid #ccc; padding: .5rem; text-align: start; }
            .en { direction: ltr; text-align: left; color: #444; }
            .num { direction: ltr; unicode-bidi: isolate; }
            </style>
            </head>
            <body>
            <h1>فاتورة <span class="num">\(escape(invoice.number))</span></h1>
            <p class="en">Invoice <span class="num">\(escape(invoice.number))</span> — AI Studio</p>
            <table>
            <tr><th>التاريخ <span class="en">Date</span></th><td class="num">\(date(invoice.issuedAt))</td></tr>
            <tr><th>العميل <span class="en">Customer</span></th><td class="num">\(escape(email))</td></tr>
            <tr><th>البند <span class="en">Item</span></th><td>\(escape(invoice.descriptionAr))<div class="en">\(escape(invoice.description))</div></td></tr>
            <tr><th>الفترة <span class="en">Period</span></th><td class="num">\(date(invoice.periodStart)) → \(date(invoice.periodEnd))</td></tr>
            <tr><th>المبلغ <span class="en">Amount</span></th><td class="num">\(escape(amount))</td></tr>
            <tr><th>مزوّد الدفع <span class="en">Paid with</span></th><td class="num">\(escape(invoice.provider)) \(escape(invoice.providerRef ?? ""))</td></tr>
            </table>
            </body>
            </html>
            """
    }
}

extension AppError {
    static let noActiveSubscription = AppError(
        code: "no_active_subscription", status: .conflict,
        message: "You have no active paid subscription.", messageAr: "ليس لديك اشتراك مدفوع نشط.")

    static let paymentRequired = AppError(
        code: "payment_required", status: .init(code: 402, reasonPhrase: "Payment Required"),
        message: "There is no active subscription to renew. Choose a plan to pay for a new month.",
        messageAr: "لا يوجد اشتراك نشط لتجديده. اختر خطة وادفع لشهر جديد.",
        details: ["upgrade_url": "/app/account/"])
}
