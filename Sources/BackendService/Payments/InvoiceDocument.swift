import Core
import Foundation

/// The invoice as a Word document: Arabic first and right to left, every label in Arabic and English,
/// amounts in JOD with three decimals. The worker turns it into the PDF users download.
enum InvoiceDocument {

    static func document(_ invoice: InvoiceRecord, email: String) -> DocxDocument {
        let amount = "\(Money.jod(fils: invoice.amountFils)) \(invoice.currency)"
        let period = "\(InvoiceHTML.date(invoice.periodStart)) → \(InvoiceHTML.date(invoice.periodEnd))"
        let rows: [[String]] = [
            ["البند / Item", "القيمة / Value"],
            ["رقم الفاتورة / Invoice number", invoice.number],
            ["التاريخ / Date", InvoiceHTML.date(invoice.issuedAt)],
            ["العميل / Customer", email],
            ["الوصف", invoice.descriptionAr],
            ["Description", invoice.description],
            ["الفترة / Period", period],
            ["المبلغ / Amount", amount],
            [
                "مزوّد الدفع / Paid with",
                [invoice.provider, invoice.providerRef].compactMap { $0 }.joined(separator: " "),
            ],
        ]
        return DocxDocument(
            title: "فاتورة \(invoice.number)", language: "ar-JO", direction: .rightToLeft,
            blocks: [
                .title("فاتورة — Invoice"),
                .paragraph([.init("AI Studio — استوديو الذكاء الاصطناعي", bold: true)]),
                .table(rows, header: true),
                .paragraph([.init("المبالغ بالدينار الأردني. Amounts are in Jordanian dinars.", italic: true)]),
            ])
    }
}
