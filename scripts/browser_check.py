#!/usr/bin/env python3
"""Walks every page of the web front in a real Chromium: sign-in, chat, CV, slides, images, video, account and checkout.

Usage: .venv-browser/bin/python scripts/browser_check.py [BASE_URL]   (default http://127.0.0.1:18080)

Needs the studio in local mode (the dev outbox answers) and Playwright for Python with the
system Chromium at /usr/bin/chromium. Each run asks for five sign-in e-mails, to fresh random
addresses, and pays on the local fake HyperPay (no HyperPay key configured). Prints one line per check, then `browser: N passed, M failed`; exits 1 on a failure.
Screenshots go to /tmp/studio-*.png.
"""

import io
import json
import os
import re
import subprocess
import secrets
import sys
import time
import zipfile
from urllib.parse import quote

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18080").rstrip("/")
# SCREENSHOTS=docs/screenshots: every page in Arabic and English at desktop and phone width.
SCREENSHOTS = os.environ.get("SCREENSHOTS", "")
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
    except (PlaywrightError, AssertionError, KeyError, TypeError, ValueError, subprocess.CalledProcessError) as error:
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
    link = page.locator('header nav a[href="/signin/"]')
    check("landing: header has the sign-in link in Arabic", link.count() == 1 and link.inner_text() == "تسجيل الدخول")
    page.click("#lang-toggle")
    check("landing: the toggle flips to lang=en dir=ltr", html_lang_dir(page) == ("en", "ltr"), str(html_lang_dir(page)))
    check("landing: the sign-in link reads 'Sign in' in English", link.inner_text() == "Sign in", link.inner_text())
    description = page.get_attribute('meta[name="description"]', "content") or ""
    check("landing: the search description follows the language", description.startswith("An Arabic-first"), description)
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
    page.click('header nav a[href="/signin/"]')
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
    check("hub: links to the CV Maker and the account", page.locator('main a[href="/app/cv/"]').count() == 1
          and page.locator('main a[href="/app/account/"]').count() == 1)
    page.click('main a[href="/app/cv/"]')
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

    # The Gulf/Jordan style with a photo: uploaded and checked, shown in the preview, inline in the DOCX.
    page.select_option("#language", "ar")
    page.select_option("#style", "gulf")
    page.fill("#nationality", "أردنية")
    photo = "/tmp/studio-browser-photo.jpg"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x8899aa:s=300x400", "-frames:v", "1",
                    photo], check=True)
    page.set_input_files("#photo", photo)
    page.locator('#status[data-code="photo_ready"]').wait_for(timeout=30_000)
    check("cv: the photo shows in the preview of the Gulf style", preview.locator("img.cv-photo").count() == 1)
    page.click("#generate")
    page.locator('#downloads a[data-format="docx"]').wait_for(timeout=30_000)
    href = page.get_attribute('#downloads a[data-format="docx"]', "href")
    with zipfile.ZipFile(io.BytesIO(page.request.get(href).body())) as docx:
        names = docx.namelist()
        document = docx.read("word/document.xml").decode()
    check("cv: the Gulf-style DOCX carries the photo inline, before the name, with the nationality",
          "word/media/image1.jpeg" in names and "<wp:inline" in document
          and document.index("<w:drawing>") < document.index("سارة أحمد") and "أردنية" in document, str(names))


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


def meter_used(page, kind: str) -> int:
    """The used figure of one TokenMeter row, in any digits."""
    row = page.locator(f'#token-meter .meter[data-kind="{kind}"] .figures')
    row.wait_for()
    text = row.inner_text().translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    return int(re.sub(r"[^\d]", "", re.split(r"\s(?:of|من)\s", text)[0]) or 0)


def chat(context, page) -> None:
    sign_in_quickly(context, page, "chat")
    page.goto(f"{BASE}/app/chat/")
    page.locator("#model option").first.wait_for(state="attached")
    check("chat: <html lang=ar dir=rtl> and the sidebar marks Chat", html_lang_dir(page) == ("ar", "rtl")
          and page.locator('#sidebar a[aria-current="page"]').get_attribute("data-tool") == "chat")
    options = page.locator("#model option")
    names = [options.nth(i).inner_text() for i in range(options.count())]
    check("chat: the model list holds GPT, Claude and Gemini (disabled without keys) and the demo",
          any("GPT" in n or "جي بي تي" in n for n in names) and any("Claude" in n or "كلود" in n for n in names)
          and page.locator("#model option:checked").get_attribute("value") == "demo-chat", "; ".join(names))
    before = meter_used(page, "tokens")
    # Count how many times the answer's text changes while it arrives.
    page.evaluate("""() => { window.__paints = 0; new MutationObserver(() => { window.__paints += 1; })
        .observe(document.getElementById("messages"), { subtree: true, childList: true, characterData: true }); }""")
    question = "ما هي الإنتروبيا في الفيزياء؟"
    page.fill("#prompt", question)
    page.click("#send")
    answer = page.locator('.msg[data-role="assistant"]').last
    page.locator('.msg[data-role="assistant"][data-state="done"]').wait_for(timeout=20_000)
    paints = page.evaluate("() => window.__paints")
    check("chat: the answer streamed in (painted many times, not once)", paints >= 5, f"{paints} paints")
    check("chat: the answer is Arabic and quotes the question", is_arabic(answer.inner_text())
          and "الإنتروبيا" in answer.inner_text())
    page.wait_for_function(f"() => Number(document.querySelector('#token-meter .meter[data-kind=tokens] progress')?.value) > {before}")
    check("chat: the token meter moved after the answer", meter_used(page, "tokens") > before,
          f"{before} → {meter_used(page, 'tokens')}")
    page.locator(".conversation-list button.conversation").first.wait_for()
    check("chat: the conversation is listed under its question",
          "الإنتروبيا" in page.inner_text("#conversation-list"))
    page.fill("#search", "الانتروبيا")  # another spelling of the alef
    page.wait_for_timeout(600)
    check("chat: Arabic search finds it in another spelling", "الإنتروبيا" in page.inner_text("#conversation-list"))
    page.fill("#search", "كلمة غير موجودة إطلاقًا")
    page.locator("#conversation-list li.hint").wait_for()
    check("chat: a search with no match says so", page.locator(".conversation-list button.conversation").count() == 0)
    page.fill("#search", "")
    body = answer.locator(".msg-body")
    answer.locator('[data-action="direction"]').click()
    forced = body.get_attribute("dir")
    answer.locator('[data-action="direction"]').click()
    check("chat: the per-message direction switch forces rtl, then ltr", (forced, body.get_attribute("dir")) == ("rtl", "ltr"))
    answer.locator('[data-action="retry"]').click()
    page.locator('.msg[data-role="assistant"][data-state="done"]').wait_for(timeout=20_000)
    check("chat: retry answers again in the same place", page.locator('.msg[data-role="assistant"]').count() == 1)
    page.reload()
    page.locator(".conversation-list button.conversation").first.click()
    page.locator('.msg[data-role="user"]').first.wait_for()
    check("chat: a saved conversation opens again with its messages",
          question in page.inner_text("#messages") and page.locator(".msg").count() >= 2)

    # A document attached to a question: read by the worker, then sent with the message.
    attached = "/tmp/studio-browser-attachment.pdf"
    with open(attached, "wb") as f:
        f.write(text_pdf(["Budget for the Aqaba office: 4,200 dinars"]))
    page.click("#new-chat")
    page.set_input_files("#attach", attached)
    page.locator('#attachments .chip[data-state="ready"]').wait_for(timeout=60_000)
    page.fill("#prompt", "ما الميزانية المذكورة في المرفق؟")
    page.click("#send")
    page.locator('.msg[data-role="assistant"][data-state="done"]').wait_for(timeout=20_000)
    check("chat: an attached document is read, sent with the question, and named in the message",
          "studio-browser-attachment.pdf" in page.locator('.msg[data-role="user"]').last.inner_text()
          and page.locator("#attachments .chip").count() == 0)

    # A Markdown answer with code, served by the browser so its shape is known.
    def markdown_answer(route):
        events = [{"text": "## مثال\n\nهذه دالة بلغة **Python**:\n\n```python\n"},
                  {"text": "def hello():\n    return 'مرحبا'\n```\n\n- أول\n- ثانٍ\n"}]
        stream = "".join(f"event: delta\ndata: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events)
        stream += 'event: done\ndata: {"model":"demo-chat","quota":{"kind":"tokens","used":1,"limit":10,"percent":10,"warn":false,"blocked":false}}\n\n'
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=stream)
    page.route("**/v1/chat/complete", markdown_answer)
    page.click("#new-chat")
    page.fill("#prompt", "اكتب دالة")
    page.click("#send")
    page.locator('.msg[data-role="assistant"][data-state="done"]').wait_for()
    code = page.locator(".msg-body pre code").first
    check("chat: code blocks are rendered left-to-right with the code intact",
          page.locator(".msg-body pre").first.get_attribute("dir") == "ltr" and "return 'مرحبا'" in code.inner_text())
    check("chat: headings, bold and lists are rendered, each block dir=auto",
          page.locator(".msg-body h4").count() == 1 and page.locator(".msg-body strong").inner_text() == "Python"
          and page.locator(".msg-body ul li").count() == 2
          and page.locator(".msg-body li").first.get_attribute("dir") == "auto")
    page.unroute("**/v1/chat/complete")

    def refuse(status, code, headers=None):
        body = json.dumps({"error": {"code": code, "message": "x", "message_ar": "س", "upgrade_url": "/app/account/"}})
        return lambda route: route.fulfill(status=status, headers={"Content-Type": "application/json", **(headers or {})}, body=body)
    for status, code, extra in [(429, "rate_limited", {"Retry-After": "30"}), (422, "content_blocked", None),
                                (502, "provider_error", None)]:
        page.route("**/v1/chat/complete", refuse(status, code, extra))
        page.fill("#prompt", "سؤال")
        page.click("#send")
        banner = page.locator(f'#banner[data-code="{code}"]')
        banner.wait_for()
        check(f"chat (simulated {status}): a friendly Arabic banner", is_arabic(banner.inner_text())
              and (status != 429 or page.locator("#banner .countdown").count() == 1), banner.inner_text())
        page.unroute("**/v1/chat/complete")
    page.screenshot(path="/tmp/studio-chat-ar.png", full_page=True)


def image_and_quota(context, page) -> None:
    sign_in_quickly(context, page, "image")
    page.goto(f"{BASE}/app/image/")
    page.locator("#model option").first.wait_for(state="attached")
    before = meter_used(page, "images")
    page.fill("#prompt", "قمر فوق جبل القلعة في عمّان")
    page.select_option("#count", "2")
    page.click("#generate")
    page.locator("#grid figure").nth(1).wait_for(timeout=20_000)
    page.wait_for_function("() => [...document.querySelectorAll('#grid img')].every((img) => img.complete && img.naturalWidth > 0)")
    check("image: two pictures are drawn, stored and shown", page.locator("#grid img").count() == 2)
    page.wait_for_function(f"() => Number(document.querySelector('#token-meter .meter[data-kind=images] progress')?.value) >= {before + 2}")
    check("image: the image meter counts them", meter_used(page, "images") == before + 2)

    page.locator('#grid [data-action="edit"]').first.click()
    page.locator("#editor").wait_for()
    page.wait_for_function("() => document.getElementById('canvas').width > 0")
    width = int(page.get_attribute("#size", "data-width"))
    page.locator("#canvas").scroll_into_view_if_needed()
    box = page.locator("#canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7, steps=5)
    page.mouse.up()
    page.click("#crop")
    cropped = int(page.get_attribute("#size", "data-width"))
    check("image editor: a dragged rectangle crops the picture", 0 < cropped < width, f"{width} → {cropped}")
    page.fill("#width", "320")
    page.click("#resize")
    check("image editor: resize to 320 px wide", page.get_attribute("#size", "data-width") == "320")
    page.fill("#overlay", "صباح الخير يا عمّان")
    page.click("#add-text")
    check("image editor: Arabic text is added (undo is offered)", page.locator("#undo").is_enabled())
    page.click("#save")
    page.locator("#saved-link:not([hidden])").wait_for(timeout=30_000)
    saved = page.evaluate("""async () => { const r = await fetch(document.getElementById("saved-link").href);
        const b = await createImageBitmap(await r.blob()); return [r.status, b.width]; }""")
    check("image editor: the edit is saved as a new 320 px file and downloads", saved == [200, 320], str(saved))
    # Asking the AI to change a picture: the offline demo cannot, and says so instead of drawing anew.
    page.click("#saved-ai-edit")
    check("image: 'edit with AI' marks the picture to change", page.locator("#editing").is_visible())
    page.fill("#prompt", "اجعل السماء بنفسجية")
    page.click("#generate")
    cannot = page.locator('#banner[data-code="model_cannot_edit"]')
    cannot.wait_for()
    check("image: the demo model says clearly that it cannot edit pictures", is_arabic(cannot.inner_text()))
    page.click("#stop-editing")
    page.screenshot(path="/tmp/studio-image-ar.png", full_page=True)

    # The advanced editor (the Creator trial has it): a story-sized poster with an Arabic text layer.
    check("image: the advanced editor is open to the Creator trial",
          page.locator("#advanced-lock").is_hidden() and page.locator("#apply-advanced").is_enabled())
    page.evaluate("""() => { const s = document.getElementById("brightness"); s.value = "30";
        s.dispatchEvent(new Event("input")); }""")
    check("image: the brightness slider previews on the canvas",
          "brightness" in page.evaluate("() => document.getElementById('canvas').style.filter"))
    page.click("#add-layer")
    page.locator("#layers li [data-field=text]").fill("عرض خاص لطلاب الجامعة")
    page.select_option("#layers li [data-field=font]", "kufi")
    page.select_option("#preset", "story")
    page.select_option("#fit", "contain")
    page.click("#apply-advanced")
    page.locator("#advanced-link:not([hidden])").wait_for(timeout=60_000)
    poster = page.evaluate("""async () => { const r = await fetch(document.getElementById("advanced-link").href);
        const b = await createImageBitmap(await r.blob()); return [r.status, b.width, b.height]; }""")
    check("image: the studio applies the advanced edit — a 1080×1920 story that downloads", poster == [200, 1080, 1920], str(poster))
    check("image: the result opens in the editor with the sliders back at zero",
          page.get_attribute("#size", "data-height") == "1920" and page.input_value("#brightness") == "0")

    # Use up the month's images: the last request is refused before any drawing, with the upgrade link.
    status = page.evaluate("""async () => {
        const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrf_token="))?.split("=")[1];
        // Four at a time, then one at a time for the last few: a request larger than what is left is refused whole.
        let status = 200;
        for (const count of [4, 1]) {
            for (let i = 0; i < 40; i += 1) {
                const r = await fetch("/v1/images/generate", { method: "POST", headers: { "Content-Type": "application/json",
                    "X-CSRF-Token": decodeURIComponent(csrf) }, body: JSON.stringify({ prompt: "نقطة", count }) });
                status = r.status;
                if (status !== 200) break;
            }
        }
        return status; }""")
    check("quota: using up the images ends in 402", status == 402, str(status))
    page.reload()
    page.locator('#token-meter[data-state="full"]').wait_for()
    check("quota: the meter says the month is used up, with the upgrade link",
          page.locator('#token-meter .meter-note a[href="/app/account/"]').count() == 1
          and page.locator('#usage-badge[data-state="full"]').count() == 1)
    page.fill("#prompt", "صورة أخرى")
    page.click("#generate")
    banner = page.locator('#banner[data-code="quota_exceeded"]')
    banner.wait_for()
    check("quota: a user at 100% sees the 402 banner with the upgrade button",
          is_arabic(banner.inner_text()) and page.locator('#banner a[data-action="upgrade"]').count() == 1)
    page.screenshot(path="/tmp/studio-image-402-ar.png", full_page=True)


def video(context, page) -> None:
    sign_in_quickly(context, page, "video")
    page.goto(f"{BASE}/app/video/")
    page.locator("#model option").first.wait_for(state="attached")
    check("video: the demo model is chosen and labelled as a demo", page.locator("#demo-note").is_visible()
          and "تجريبي" in page.locator("#model option:checked").inner_text())
    page.fill("#prompt", "غروب الشمس فوق البحر الميت")
    page.fill("#duration", "5")
    page.click("#generate")
    job = page.locator("#queue li.job").first
    job.wait_for()
    page.locator('#queue li.job[data-status="done"] video').first.wait_for(timeout=60_000)
    player = page.locator('#queue li.job[data-status="done"] video').first
    page.wait_for_function("(v) => v.readyState >= 1", arg=player.element_handle())
    duration = player.evaluate("(v) => v.duration")
    check("video: the demo job reaches done and its 5 s clip plays in the page", 4.5 <= duration <= 5.5, str(duration))
    check("video: the player has its poster frame", bool(player.get_attribute("poster")))
    played = player.evaluate("async (v) => { v.muted = true; await v.play(); await new Promise((r) => setTimeout(r, 600)); return v.currentTime; }")
    check("video: the clip plays", played > 0, str(played))
    check("video: the video meter counts it", meter_used(page, "videos") >= 1)

    clip = "/tmp/studio-browser-clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "4",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", clip], check=True)
    page.set_input_files("#clip", clip)
    page.locator("#edit:not([disabled])").wait_for(timeout=30_000)
    page.fill("#start", "1")
    page.fill("#end", "3")
    page.fill("#captions", "0:01-0:03 مرحبًا من عمّان")
    page.click("#edit")
    edited = page.locator('#queue li.job[data-status="done"]').filter(has_text="مقطع محرَّر")
    edited.locator("video").wait_for(timeout=60_000)
    page.wait_for_function("(v) => v.readyState >= 1", arg=edited.locator("video").element_handle())
    length = edited.locator("video").evaluate("(v) => v.duration")
    check("video: an uploaded clip is trimmed to 2 s with captions and plays", 1.5 <= length <= 2.6, str(length))

    # The advanced editor: the same cut with the clip joined after it, a fade and captions at the top.
    check("video: the advanced editor is open to the Creator trial", page.locator("#advanced-lock").is_hidden())
    page.set_input_files("#join", clip)
    page.locator("#join-list li").first.wait_for(timeout=30_000)
    page.select_option("#cap-position", "top")
    page.fill("#fade-in", "0.5")
    page.fill("#fade-out", "0.5")
    page.click("#edit")
    page.wait_for_function("() => document.querySelectorAll('#queue li.job[data-status=done] video').length >= 3", timeout=60_000)
    joined = page.locator('#queue li.job[data-status="done"]').filter(has_text="مقطع محرَّر").first.locator("video")
    page.wait_for_function("(v) => v.readyState >= 1", arg=joined.element_handle())
    length = joined.evaluate("(v) => v.duration")
    check("video: the cut and the joined 4 s clip make one 6 s video", 5.5 <= length <= 6.6, str(length))
    page.screenshot(path="/tmp/studio-video-ar.png", full_page=True)


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica), written by hand."""
    content = "BT /F1 14 Tf 72 740 Td 18 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for index, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{index} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def summary(context, page, plan: str = "") -> None:
    """A PDF summarised and exported; by a new (Creator trial) user, or by the page's user on `plan`."""
    if not plan:
        sign_in_quickly(context, page, "summary")
    page.goto(f"{BASE}/app/summary/")
    page.locator("#token-meter .meter").first.wait_for()
    _, usage = fetch_in_page(page, "/v1/usage/me")
    on = plan or "creator"
    check(f"summary: the {on} plan may summarise (no lock)",
          page.locator("#locked").is_hidden() and (usage or {}).get("plan", {}).get("id") == on, str((usage or {}).get("plan")))
    path = "/tmp/studio-browser-report.pdf"
    with open(path, "wb") as f:
        f.write(text_pdf(["Quarterly sales report for Amman", "Revenue grew by twelve percent this quarter.",
                          "The team will review prices next month."]))
    page.set_input_files("#document", path)
    page.select_option("#language", "en")
    page.click("#summarise")
    page.locator('#banner[data-code="summary_ready"]').wait_for(timeout=60_000)
    keys = page.evaluate("() => [...document.querySelectorAll('#steps li')].map((li) => li.dataset.key)")
    check("summary: the steps show the upload, the pages read, then the summary being put together",
          keys[:1] == ["summary.stepUpload"] and "summary.stepRead" in keys and keys[-1] == "summary.stepCombine", str(keys))
    check("summary: the result shows the document's title and key points",
          "Quarterly sales report" in page.inner_text("#s-title") and page.locator("#s-points li").count() >= 1)
    check("summary: without AI it says so", page.get_attribute("#source-note", "data-source") == "extract")
    page.click("#export")
    page.locator('#downloads a[data-format="docx"]').wait_for(timeout=30_000)
    page.locator('#downloads a[data-format="pdf"]').wait_for(timeout=60_000)
    check("summary: DOCX and PDF downloads appear", page.locator("#downloads a").count() == 2)
    page.screenshot(path="/tmp/studio-summary-en.png", full_page=True)


APP_PAGES = ["/app/", "/app/chat/", "/app/cv/", "/app/slides/", "/app/summary/", "/app/image/", "/app/video/", "/app/account/"]
ALL_PAGES = ["/", "/signin/", "/dev/mailbox/", *APP_PAGES]


def visible_text(page) -> str:
    """What the page shows, without what the user wrote or the server's data (conversation titles, files)."""
    return page.evaluate("""() => {
        const clone = document.body.cloneNode(true);
        // The toggle names Arabic in Arabic; the CV preview is in the CV's own language.
        for (const el of clone.querySelectorAll(".conversation-list, .msg, #queue, #grid, .mail-list, #invoices, select, [hidden], #lang-toggle, .cv-preview")) el.remove();
        return clone.innerText; }""")


def language_everywhere(context, page) -> None:
    for path in APP_PAGES:
        page.goto(f"{BASE}{path}")
        page.locator("#sidebar a").first.wait_for()
        page.wait_for_load_state("networkidle")
        arabic = visible_text(page)
        page.click("#lang-toggle")
        english = visible_text(page)
        letters = ARABIC.findall(english)
        check(f"{path}: the toggle flips dir and every visible label to English",
              html_lang_dir(page) == ("en", "ltr") and is_arabic(arabic) and len(letters) == 0,
              "".join(letters)[:40])
        page.click("#lang-toggle")


def plan_features(page, **features) -> None:
    """Answers the page's GET /v1/usage/me with the plan's features changed, as another plan would have them."""
    def change(route):
        response = route.fetch()
        body = response.json()
        body["plan"]["features"].update(features)
        route.fulfill(response=response, json=body)
    page.route("**/v1/usage/me", change)


def plan_locks(context, page) -> None:
    """A Starter wallet, answered by the browser: the Slide Maker shows a lock in the sidebar."""
    plan_features(page, slides=False)
    page.goto(f"{BASE}/app/chat/")
    page.locator('#sidebar a[data-tool="slides"][data-locked]').wait_for()
    check("sidebar: a tool the plan lacks shows a lock with the reason",
          page.locator('#sidebar a[data-tool="chat"][data-locked]').count() == 0
          and "رقِّ" in (page.get_attribute('#sidebar a[data-tool="slides"]', "title") or ""))
    page.unroute("**/v1/usage/me")

    plan_features(page, advanced_editors=False)  # as on Pro
    picture = "/tmp/studio-browser-picture.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x336699:s=320x240", "-frames:v", "1",
                    picture], check=True)
    for path in ["/app/image/", "/app/video/"]:
        page.goto(f"{BASE}{path}")
        if path == "/app/image/":
            page.set_input_files("#local-file", picture)  # the editor, and its advanced part, open with a picture
        page.locator("#advanced-lock:not([hidden])").wait_for()
        check(f"{path}: without the Creator plan the advanced editor is locked with the upgrade link",
              page.eval_on_selector("#advanced", "(f) => f.disabled")
              and page.locator("#advanced input").first.is_disabled()
              and page.locator('#advanced-lock a[href="/app/account/"]').is_visible()
              and is_arabic(page.inner_text("#advanced-lock")))
    page.unroute("**/v1/usage/me")


def digits_preference(context, page) -> None:
    page.goto(f"{BASE}/app/account/")
    page.locator('.meter[data-kind="tokens"]').wait_for()
    page.select_option("#pref-digits", "arab")
    page.locator('#status[data-code="prefs_saved"]').wait_for()
    meter = page.locator('.meter[data-kind="tokens"]').inner_text()
    check("account: Eastern Arabic digits are applied at once", "٠" in meter or "١" in meter, meter)
    _, me = fetch_in_page(page, "/v1/auth/me")
    check("account: the digits choice is saved with the account", (me or {}).get("user", {}).get("digits") == "arab", str(me))
    page.goto(f"{BASE}/app/chat/")
    page.locator("#token-meter .meter").first.wait_for()
    check("chat: the TokenMeter uses the chosen digits too", "٠" in page.inner_text("#token-meter"))
    page.goto(f"{BASE}/app/account/")
    page.select_option("#pref-digits", "latn")
    page.locator('#status[data-code="prefs_saved"]').wait_for()


def accessibility(context, page) -> None:
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    for path in ["/", "/app/chat/", "/app/account/"]:
        for language in ["ar", "en"]:
            page.goto(f"{BASE}{path}")
            page.evaluate("(l) => localStorage.setItem('lang', l)", language)
            page.reload()
            page.wait_for_load_state("networkidle")
            violations = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
            check(f"axe {path} ({language}): no serious or critical violations", not violations,
                  "; ".join(f"{v['id']}: {v['nodes'][0]['target']}" for v in violations[:3]))
    page.evaluate("() => localStorage.setItem('lang', 'ar')")


def screenshots(context, page, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for width, height, label in [(1280, 800, "desktop"), (390, 844, "phone")]:
        page.set_viewport_size({"width": width, "height": height})
        for language in ["ar", "en"]:
            for path in ALL_PAGES:
                page.goto(f"{BASE}{path}")
                page.evaluate("(l) => localStorage.setItem('lang', l)", language)
                page.reload()
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "-") or "landing"
                page.screenshot(path=f"{folder}/{name}-{language}-{label}.png")
    page.evaluate("() => localStorage.setItem('lang', 'ar')")
    check(f"screenshots written to {folder}", len(os.listdir(folder)) >= len(ALL_PAGES) * 4)


def main() -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        script_errors: list[str] = []

        def console(p, message):
            # An API refusal the page handles is logged by Chromium as a failed resource; anything else is a fault.
            if message.type == "error" and "Failed to load resource" not in message.text:
                script_errors.append(f"{p.url}: {message.text}")

        def new_context():
            context = browser.new_context(viewport={"width": 1100, "height": 800})
            context.set_default_timeout(10_000)
            context.on("page", lambda p: p.on("pageerror", lambda e: script_errors.append(f"{p.url}: {e}")))
            context.on("page", lambda p: p.on("console", lambda m: console(p, m)))
            return context

        def run(name, steps):
            context = new_context()
            section(name, lambda: steps(context, context.new_page()))
            context.close()

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
        paying = third.new_page()
        section("pay for a plan", lambda: pay_for_a_plan(third, paying))
        section("summary on Pro", lambda: summary(third, paying, plan="pro"))
        third.close()

        fourth = new_context()
        section("make a CV", lambda: make_a_cv(fourth, fourth.new_page()))
        fourth.close()

        fifth = new_context()
        section("make a deck", lambda: make_a_deck(fifth, fifth.new_page()))
        fifth.close()

        run("chat", chat)
        run("image and quota", image_and_quota)
        run("video", video)
        run("summary", summary)
        # One signed-in visitor walks every page: both languages, axe-core, and the screenshots.
        tour = new_context()
        tour_page = tour.new_page()
        section("sign in for the tour", lambda: sign_in_quickly(tour, tour_page, "tour"))
        section("language on every page", lambda: language_everywhere(tour, tour_page))
        section("digits", lambda: digits_preference(tour, tour_page))
        section("plan locks", lambda: plan_locks(tour, tour_page))
        section("accessibility", lambda: accessibility(tour, tour_page))
        if SCREENSHOTS:
            section("screenshots", lambda: screenshots(tour, tour_page, SCREENSHOTS))
        tour.close()

        check("no uncaught script errors on any page", not script_errors, "; ".join(script_errors[:3]))
        browser.close()

    passed = sum(results)
    failed = len(results) - passed
    print(f"browser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
