#!/usr/bin/env python3
"""Walks the sign-in, account and checkout pages of the web front in a real Chromium.

Usage: .venv-browser/bin/python scripts/browser_check.py [BASE_URL]   (default http://127.0.0.1:18080)

Needs the studio in local mode (the dev outbox answers) and Playwright for Python with the
system Chromium at /usr/bin/chromium. Each run asks for five sign-in e-mails, to fresh random
addresses, and pays on the local fake HyperPay (no HyperPay key configured). Prints one line per check, then `browser: N passed, M failed`; exits 1 on a failure.
Screenshots go to /tmp/studio-*.png.
"""

import io
import re
import secrets
import zipfile
import sys
import time
from urllib.parse import quote

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18080").rstrip("/")
CHROMIUM = "/usr/bin/chromium"
ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN = re.compile(r"[A-Za-z]")
TO_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

results: list[bool] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append(bool(ok))
    suffix = f" ({detail})" if detail and not ok else ""
    print(f"{'PASS' if ok else 'FAIL'} {name}{suffix}", flush=True)
    return bool(ok)


def section(name: str, steps) -> None:
    """Runs one part of the walk; an unexpected exception fails it without stopping the others."""
    try:
        steps()
    except (PlaywrightError, AssertionError, KeyError, TypeError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        check(f"{name}: finished without an exception", False, first_line)


def fresh_email(label: str) -> str:
    return f"browser-{label}-{secrets.token_hex(5)}@example.com"


def is_arabic(text: str) -> bool:
    return len(ARABIC.findall(text)) > len(LATIN.findall(text))


def html_lang_dir(page) -> tuple[str, str]:
    return tuple(page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]"))


def fetch_in_page(page, path: str) -> tuple[int, dict | None]:
    return tuple(page.evaluate(
        """async (path) => {
            const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
            return [response.status, await response.json().catch(() => null)];
        }""", path))


def read_mailbox(context, email: str) -> tuple[str, str]:
    """Opens the dev mailbox in a new tab and returns (code, link) of the mail to `email`."""
    page = context.new_page()
    try:
        page.goto(f"{BASE}/dev/mailbox/")
        entry = page.locator(f'li.mail[data-to="{email}"]')
        for _ in range(10):
            if entry.count():
                break
            time.sleep(0.5)
            page.click("#refresh")
        entry.first.wait_for()
        return entry.first.locator("dd.code").inner_text().strip(), entry.first.locator("a.button").get_attribute("href")
    finally:
        page.close()


def landing_and_language(page) -> None:
    page.goto(f"{BASE}/")
    check("landing: <html lang=ar dir=rtl> by default", html_lang_dir(page) == ("ar", "rtl"), str(html_lang_dir(page)))
    link = page.locator('header a[href="/signin/"]')
    check("landing: header has the sign-in link in Arabic", link.count() == 1 and link.inner_text() == "تسجيل الدخول")
    page.click("#lang-toggle")
    check("landing: the toggle flips to lang=en dir=ltr", html_lang_dir(page) == ("en", "ltr"), str(html_lang_dir(page)))
    check("landing: the sign-in link reads 'Sign in' in English", link.inner_text() == "Sign in", link.inner_text())
    stored = page.evaluate("() => localStorage.getItem('lang')")
    check("landing: the choice is stored in localStorage 'lang'", stored == "en", str(stored))
    page.goto(f"{BASE}/signin/")
    check("sign-in: the English choice carries over", html_lang_dir(page) == ("en", "ltr"), str(html_lang_dir(page)))
    check("sign-in: labels are in English", page.inner_text("label[for=email]") == "E-mail")
    page.click("#lang-toggle")
    check("sign-in: the toggle flips back to lang=ar dir=rtl", html_lang_dir(page) == ("ar", "rtl"))
    check("sign-in: labels are in Arabic again", page.inner_text("label[for=email]") == "البريد الإلكتروني")
    page.goto(f"{BASE}/")


def sign_in_with_code(context, page) -> None:
    page.click('header a[href="/signin/"]')
    page.wait_for_url(f"{BASE}/signin/")
    check("landing → sign-in link opens /signin/", page.url == f"{BASE}/signin/", page.url)
    check("sign-in: <html lang=ar dir=rtl>", html_lang_dir(page) == ("ar", "rtl"))
    page.locator("#dev-mailbox").wait_for()
    check("sign-in: the dev mailbox link shows in local mode",
          page.locator('#dev-mailbox a[href="/dev/mailbox/"]').is_visible())
    page.screenshot(path="/tmp/studio-signin-ar.png", full_page=True)

    page.click("#send")
    status = page.locator("#status")
    check("sign-in: an empty address gets an Arabic hint", is_arabic(status.inner_text()), status.inner_text())

    # An unsafe `next` must be ignored: the walk below has to land on /app/, not on another host.
    page.goto(f"{BASE}/signin/?next={quote('//evil.example/x', safe='')}")
    email = fresh_email("code")
    page.fill("#email", email)
    page.click("#send")
    page.locator("#code-form").wait_for()
    sent = page.inner_text("#sent-text")
    check("sign-in: the code step names the address", email in sent and is_arabic(sent), sent)
    code_input = page.locator("#code")
    attrs = code_input.evaluate("el => [el.inputMode, el.autocomplete, el.dir]")
    check("sign-in: code field is numeric, one-time-code, ltr", attrs == ["numeric", "one-time-code", "ltr"], str(attrs))

    code, _ = read_mailbox(context, email)
    check("dev mailbox: lists the new mail with its 6-digit code", bool(re.fullmatch(r"\d{6}", code)), code)

    wrong = "000000" if code != "000000" else "111111"
    code_input.fill(wrong)
    page.click("#verify")
    page.locator('#status[data-code="invalid_code"]').wait_for()
    check("sign-in: a wrong code is refused in Arabic", is_arabic(status.inner_text()), status.inner_text())
    page.screenshot(path="/tmp/studio-signin-code-ar.png", full_page=True)

    code_input.fill("")
    code_input.type(code.translate(TO_ARABIC_DIGITS))
    check("sign-in: Arabic-Indic digits are read as the code", code_input.input_value() == code,
          code_input.input_value())
    page.click("#verify")
    page.wait_for_url(f"{BASE}/app/")
    check("sign-in: the right code lands on /app/ (unsafe next ignored)", page.url == f"{BASE}/app/", page.url)
    status_code, body = fetch_in_page(page, "/v1/auth/me")
    check("signed in: GET /v1/auth/me answers 200 in the page", status_code == 200, str(status_code))
    check("signed in: /v1/auth/me names the address", (body or {}).get("user", {}).get("email") == email)

    page.goto(f"{BASE}/signin/?next=/dev/mailbox/")
    page.locator("#signed-in").wait_for()
    check("sign-in page when signed in: offers to continue to a same-origin next",
          page.get_attribute("#continue", "href") == "/dev/mailbox/")
    page.click("#sign-out")
    page.locator('#status[data-code="signed_out"]').wait_for()
    status_code, _ = fetch_in_page(page, "/v1/auth/me")
    check("sign out (with the CSRF header): /v1/auth/me answers 401", status_code == 401, str(status_code))


def confirm_link(context, page) -> None:
    page.goto(f"{BASE}/signin/")
    email = fresh_email("link")
    page.fill("#email", email)
    page.click("#send")
    page.locator("#code-form").wait_for()

    mailbox = context.new_page()
    mailbox.goto(f"{BASE}/dev/mailbox/")
    mailbox.locator(f'li.mail[data-to="{email}"]').first.wait_for()
    check("dev mailbox: <html lang=ar dir=rtl>", html_lang_dir(mailbox) == ("ar", "rtl"))
    mailbox.screenshot(path="/tmp/studio-mailbox-ar.png", full_page=True)
    mailbox.close()
    _, link = read_mailbox(context, email)
    check("dev mailbox: 'open link' goes to /auth/confirm/?token=…", "/auth/confirm/?token=" in (link or ""), str(link))

    verify_calls = []
    page.on("request", lambda r: verify_calls.append(r.url) if "/v1/auth/magic-link/verify" in r.url else None)
    page.goto(link)
    kept = "token=" in page.url
    check("confirm: the e-mailed link reaches the page with its token", kept, f"{link} ended at {page.url}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    check("confirm: opening the link does not call verify", not verify_calls, str(verify_calls))
    button = page.locator("#confirm")
    check("confirm: shows an Arabic 'sign in' button", button.is_visible() and button.inner_text() == "تسجيل الدخول")
    check("confirm: <html lang=ar dir=rtl>", html_lang_dir(page) == ("ar", "rtl"))
    status_code, _ = fetch_in_page(page, "/v1/auth/me")
    check("confirm: still signed out before the press", status_code == 401, str(status_code))

    button.click()
    page.wait_for_url(f"{BASE}/app/")
    check("confirm: the press signs in (so the token was unspent) and lands on /app/",
          len(verify_calls) == 1 and page.url == f"{BASE}/app/", f"{len(verify_calls)} calls, {page.url}")
    status_code, _ = fetch_in_page(page, "/v1/auth/me")
    check("confirm: GET /v1/auth/me answers 200 after the press", status_code == 200, str(status_code))

    page.goto(link)
    page.click("#confirm")
    used = page.locator('#status[data-code="token_used"]')
    used.wait_for()
    text = used.inner_text()
    check("confirm: a second visit reports the link as used, in Arabic", is_arabic(text) and "من قبل" in text, text)
    check("confirm: offers a way back to /signin/", page.locator('#back a[href="/signin/"]').is_visible())
    page.screenshot(path="/tmp/studio-confirm-used-ar.png", full_page=True)
    page.click("#lang-toggle")
    check("confirm: the toggle re-renders the refusal in English",
          html_lang_dir(page) == ("en", "ltr") and "already used" in used.inner_text(), used.inner_text())
    page.click("#lang-toggle")

    page.goto(f"{BASE}/auth/confirm/?token=not-a-real-token")
    page.click("#confirm")
    invalid = page.locator('#status[data-code="invalid_token"]')
    invalid.wait_for()
    check("confirm: a bad token is reported as not valid, in Arabic", is_arabic(invalid.inner_text()))
    page.goto(f"{BASE}/auth/confirm/")
    check("confirm: a link without a token says so and hides the button",
          page.locator('#status[data-code="missing_token"]').is_visible() and not page.locator("#confirm").is_visible())


def simulated_refusals(page) -> None:
    """429 and 503 are answered by the browser here, so the real limits are not spent."""
    def answer(status, code, headers=None):
        body = f'{{"error":{{"code":"{code}","message":"x","message_ar":"س"}}}}'
        return lambda route: route.fulfill(status=status, headers={"Content-Type": "application/json", **(headers or {})},
                                           body=body)

    page.goto(f"{BASE}/signin/")
    page.route("**/v1/auth/magic-link", answer(429, "rate_limited", {"Retry-After": "75"}))
    page.fill("#email", fresh_email("limited"))
    page.click("#send")
    limited = page.locator('#status[data-code="rate_limited"]')
    limited.wait_for()
    first = page.inner_text("#status .countdown")
    page.wait_for_timeout(2200)
    later = page.inner_text("#status .countdown")
    check("sign-in (simulated 429): Arabic message with a countdown from Retry-After",
          is_arabic(limited.inner_text()) and first in ("1:15", "1:14") and later != first, f"{first} → {later}")
    check("sign-in (simulated 429): the send button waits", page.locator("#send").is_disabled())
    page.screenshot(path="/tmp/studio-signin-429-ar.png", full_page=True)
    page.unroute("**/v1/auth/magic-link")

    page.goto(f"{BASE}/signin/")
    page.route("**/v1/auth/magic-link", answer(503, "mail_unavailable"))
    page.fill("#email", fresh_email("nomail"))
    page.click("#send")
    failed = page.locator('#status[data-code="mail_unavailable"]')
    failed.wait_for()
    check("sign-in (simulated 503): says the mail could not be sent, in Arabic", is_arabic(failed.inner_text()))
    page.unroute("**/v1/auth/magic-link")


def sign_in_quickly(context, page, label: str) -> str:
    """Signs a fresh address in through the API from the page, with the code from the dev mailbox."""
    email = fresh_email(label)
    page.goto(f"{BASE}/signin/")
    page.evaluate("""async (email) => { await fetch("/v1/auth/magic-link", { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, locale: "ar" }) }); }""", email)
    code, _ = read_mailbox(context, email)
    page.evaluate("""async ([email, code]) => { await fetch("/v1/auth/magic-link/verify", { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, code }) }); }""", [email, code])
    return email


def pay_for_a_plan(context, page) -> None:
    sign_in_quickly(context, page, "pay")
    page.goto(f"{BASE}/app/account/")
    page.locator("#plans article").nth(2).wait_for()
    check("account: <html lang=ar dir=rtl>", html_lang_dir(page) == ("ar", "rtl"))
    check("account: three plans with prices in JOD", page.locator("#plans article").count() == 3
          and "7.000" in page.inner_text("#plans"), page.inner_text("#plans"))
    check("account: add-ons offered at 1 JOD", page.locator("#addons button").count() == 3
          and "1.000" in page.inner_text("#addons"))
    page.screenshot(path="/tmp/studio-account-ar.png", full_page=True)

    page.click('#plans button[data-plan="pro"]')
    page.wait_for_url(re.compile(r".*/app/checkout/\?payment=.*"))
    widget = page.locator('[data-testid="fake-oppwa"]')
    widget.wait_for()
    check("checkout: the amount reads 5.000 JOD in Arabic", "5.000" in page.inner_text("#amount")
          and is_arabic(page.inner_text("#amount")), page.inner_text("#amount"))
    check("checkout: the local test widget is labelled as a test checkout",
          "تجريبية" in widget.inner_text() and "No money moves here" in widget.inner_text())
    integrity = page.evaluate("() => document.querySelector('script[src*=paymentWidgets]')?.integrity")
    check("checkout: the widget script carries an SRI hash", (integrity or "").startswith("sha384-"), str(integrity))
    page.screenshot(path="/tmp/studio-checkout-ar.png", full_page=True)

    widget.locator('button[name="approve"]').click()
    page.wait_for_url(re.compile(r".*/app/checkout/return/\?payment=.*"))
    page.locator('#status[data-code="paid"]').wait_for(timeout=20_000)
    check("return: says the payment went through, in Arabic", is_arabic(page.inner_text("#status")))
    page.screenshot(path="/tmp/studio-return-paid-ar.png", full_page=True)

    page.goto(f"{BASE}/app/account/")
    page.locator('#subscription[data-status="active"]').wait_for()
    text = page.inner_text("#subscription")
    check("account: Pro is active with a renewal date", "المحترف" in text and "يتجدّد" in text, text)
    page.locator("#invoices li[data-invoice]").first.wait_for()
    check("account: the invoice is listed with 5.000 JOD", "5.000" in page.inner_text("#invoices"))
    tokens = page.locator('.meter[data-kind="tokens"]').inner_text()
    check("account: the token meter shows Pro's 400,000", "400,000" in tokens or "400٬000" in tokens, tokens)
    page.screenshot(path="/tmp/studio-account-pro-ar.png", full_page=True)

    page.click("#cancel")
    page.locator('#status[data-code="cancel"]').wait_for()
    check("account: stop renewal says when it ends", "ينتهي" in page.inner_text("#subscription")
          and page.locator("#renew").is_visible())
    page.click("#renew")
    page.locator('#status[data-code="renew"]').wait_for()
    check("account: resume renewal brings the renewal date back", "يتجدّد" in page.inner_text("#subscription"))

    page.click('#addons button[data-addon="images_10"]')
    page.locator('[data-testid="fake-oppwa"]').wait_for()
    page.locator('[data-testid="fake-oppwa"] button[name="decline"]').click()
    page.wait_for_url(re.compile(r".*/app/checkout/return/.*"))
    page.locator('#status[data-code="failed"]').wait_for(timeout=20_000)
    check("return: a declined payment says nothing was activated, in Arabic", is_arabic(page.inner_text("#status")))
    page.goto(f"{BASE}/app/account/")
    page.locator('.meter[data-kind="images"]').wait_for()
    images = re.sub(r"[\u2066-\u2069\s]", "", page.locator('.meter[data-kind="images"]').inner_text())
    check("account: the declined add-on left the image limit at 30", images.endswith("30"), images)


def make_a_cv(context, page) -> None:
    sign_in_quickly(context, page, "cv")
    page.goto(f"{BASE}/app/")
    check("hub: links to the CV Maker and the account", page.locator('a[href="/app/cv/"]').count() == 1
          and page.locator('a[href="/app/account/"]').count() == 1)
    page.click('a[href="/app/cv/"]')
    page.wait_for_url(f"{BASE}/app/cv/")
    check("cv: <html lang=ar dir=rtl>", html_lang_dir(page) == ("ar", "rtl"))
    page.fill("#full_name", "سارة أحمد")
    page.fill("#headline", "مهندسة برمجيات")
    page.fill("#email", "sara@example.jo")
    page.fill("#summary", "مهندسة برمجيات بخبرة خمس سنوات.")
    page.fill("#skills", "Swift\nتحليل البيانات")
    job = page.locator("#jobs .entry").first
    job.locator('input[name="title"]').fill("مهندسة برمجيات")
    job.locator('input[name="company"]').fill("شركة أمنية")
    job.locator('textarea[name="bullets"]').fill("طوّرت نظام دفع\nقدت فريقًا صغيرًا")
    preview = page.locator("#preview")
    check("cv: the preview is right to left and shows the name and the job",
          preview.get_attribute("dir") == "rtl" and "سارة أحمد" in preview.inner_text()
          and "شركة أمنية" in preview.inner_text(), preview.inner_text()[:80])
    page.screenshot(path="/tmp/studio-cv-ar.png", full_page=True)
    page.click("#generate")
    page.locator('#downloads a[data-format="docx"]').wait_for(timeout=30_000)
    page.locator('#downloads a[data-format="pdf"]').wait_for(timeout=60_000)
    status = page.inner_text("#status")
    check("cv: DOCX and PDF links appear with an Arabic message", is_arabic(status), status)
    for fmt, kind in (("docx", "wordprocessingml"), ("pdf", "application/pdf")):
        href = page.get_attribute(f'#downloads a[data-format="{fmt}"]', "href")
        response = page.request.get(href)
        check(f"cv: the {fmt.upper()} downloads ({kind})", response.ok and kind in response.headers.get("content-type", ""),
              f"{response.status} {response.headers.get('content-type')}")
    page.select_option("#language", "en")
    check("cv: choosing English turns the preview left to right with English headings",
          preview.get_attribute("dir") == "ltr" and "Professional Summary" in preview.inner_text())


def make_a_deck(context, page) -> None:
    sign_in_quickly(context, page, "deck")
    page.goto(f"{BASE}/app/slides/")
    check("slides: <html lang=ar dir=rtl>", html_lang_dir(page) == ("ar", "rtl"))
    page.fill("#topic", "الطاقة الشمسية في الأردن")
    page.fill("#audience", "طلاب الجامعة")
    page.fill("#count", "٥")
    page.click("#outline-button")
    page.locator("#editor").wait_for(timeout=30_000)
    cards = page.locator(".slide-card")
    check("slides: an outline of 5 slides (title slide + 4) to edit, right to left",
          cards.count() == 4 and cards.first.get_attribute("dir") == "rtl", str(cards.count()))
    check("slides: says where the outline came from, in Arabic", is_arabic(page.inner_text("#source-note")))
    cards.first.locator('[name="title"]').fill("لماذا الطاقة الشمسية؟")
    page.screenshot(path="/tmp/studio-slides-ar.png", full_page=True)
    page.click("#generate")
    page.locator('#downloads a[data-format="pptx"]').wait_for(timeout=30_000)
    page.locator('#downloads a[data-format="pdf"]').wait_for(timeout=60_000)
    href = page.get_attribute('#downloads a[data-format="pptx"]', "href")
    response = page.request.get(href)
    check("slides: the PPTX downloads", response.ok and "presentationml" in response.headers.get("content-type", ""),
          str(response.status))
    with zipfile.ZipFile(io.BytesIO(response.body())) as deck:
        slides = sorted(name for name in deck.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", name))
        second = deck.read("ppt/slides/slide2.xml").decode() if "ppt/slides/slide2.xml" in slides else ""
    check("slides: the deck has 5 slides and the edited title", len(slides) == 5 and "لماذا الطاقة الشمسية؟" in second,
          f"{len(slides)} slides")


def main() -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        script_errors: list[str] = []

        def new_context():
            context = browser.new_context(viewport={"width": 1100, "height": 800})
            context.set_default_timeout(10_000)
            context.on("page", lambda p: p.on("pageerror", lambda e: script_errors.append(f"{p.url}: {e}")))
            return context

        first = new_context()
        page = first.new_page()
        section("language", lambda: landing_and_language(page))
        section("sign in with the code", lambda: sign_in_with_code(first, page))
        section("refusals", lambda: simulated_refusals(page))
        first.close()

        second = new_context()
        section("confirm link", lambda: confirm_link(second, second.new_page()))
        second.close()

        third = new_context()
        section("pay for a plan", lambda: pay_for_a_plan(third, third.new_page()))
        third.close()

        fourth = new_context()
        section("make a CV", lambda: make_a_cv(fourth, fourth.new_page()))
        fourth.close()

        fifth = new_context()
        section("make a deck", lambda: make_a_deck(fifth, fifth.new_page()))
        fifth.close()

        check("no uncaught script errors on any page", not script_errors, "; ".join(script_errors[:3]))
        browser.close()

    passed = sum(results)
    failed = len(results) - passed
    print(f"browser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
