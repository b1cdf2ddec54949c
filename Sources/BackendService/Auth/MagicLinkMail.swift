import Core
import Foundation

/// The sign-in e-mail: Arabic first, then English, with the link and the 6-digit code.
enum MagicLinkMail {
    static func message(to email: String, link: URL, code: String, minutes: Int) -> MailMessage {
        let subject = "رمز الدخول إلى استوديو الذكاء الاصطناعي: \(code) — Your AI Studio sign-in code"
        let text = """
            مرحبًا،

            لتسجيل الدخول إلى استوديو الذكاء الاصطناعي افتح الرابط التالي ثم اضغط «تسجيل الدخول»:
            \(link.absoluteString)

            أو أدخل هذا الرمز: \(code)

            ينتهي الرابط والرمز بعد \(minutes) دقيقة، ويعملان مرة واحدة فقط. إن لم تطلب الدخول فتجاهل هذه الرسالة.

            ---

            Hello,

            To sign in to AI Studio, open this link and press "Sign in":
            \(link.absoluteString)

            Or enter this code: \(code)

            The link and the code expire in \(minutes) minutes and work once. If you did not ask to sign in, ignore this e-mail.
            """
        let href = link.absoluteString.htmlEscaped
        let html = """
            <!doctype html>
            <html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>AI Studio</title></head>
            <body style="font-family: 'Noto Naskh Arabic', Tahoma, Arial, sans-serif; color: #1d2433; line-height: 1.7">
            <div dir="rtl" lang="ar" style="text-align: right">
              <h2 style="margin: 0 0 8px">تسجيل الدخول إلى استوديو الذكاء الاصطناعي</h2>
              <p>اضغط الزر ثم اختر «تسجيل الدخول» في الصفحة التي تفتح:</p>
              <p><a href="\(href)" style="background: #0f766e; color: #fff; padding: 10px 18px; border-radius: 8px; text-decoration: none">تسجيل الدخول</a></p>
              <p>أو أدخل هذا الرمز: <strong dir="ltr" style="font-size: 22px; letter-spacing: 4px">\(code)</strong></p>
              <p style="color: #5b6478">ينتهي الرابط والرمز بعد \(minutes) دقيقة، ويعملان مرة واحدة فقط. إن لم تطلب الدخول فتجاهل هذه الرسالة.</p>
            </div>
            <hr style="border: 0; border-top: 1px solid #e3e6ec">
            <div dir="ltr" lang="en" style="text-align: left">
              <h2 style="margin: 0 0 8px">Sign in to AI Studio</h2>
              <p>Press the button, then choose "Sign in" on the page that opens:</p>
              <p><a href="\(href)" style="background: #0f766e; color: #fff; padding: 10px 18px; border-radius: 8px; text-decoration: none">Sign in</a></p>
              <p>Or enter this code: <strong style="font-size: 22px; letter-spacing: 4px">\(code)</strong></p>
              <p style="color: #5b6478">The link and the code expire in \(minutes) minutes and work once. If you did not ask to sign in, ignore this e-mail.</p>
            </div>
            </body></html>
            """
        return MailMessage(
            to: email, subject: subject, text: text, html: html, devNotes: ["link": link.absoluteString, "code": code])
    }
}

extension String {
    var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
