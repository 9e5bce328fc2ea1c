"""The page in a real browser: Debian's Chromium, headless, driven by Playwright.

`verifier serve --port 0` runs in a subprocess (the real uvicorn server, as a user starts it);
the test pastes a scam message and checks the label and a highlighted span, switches to
English, uploads a small inbox and checks the table, and saves screenshots in test-artifacts/.
No browser is downloaded: CI installs Debian's chromium (.ci/run). Without it this test FAILS.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

def _find_chromium() -> str | None:
    """VERIFIER_CHROMIUM, else a Chromium or Chrome on PATH."""
    import shutil

    env = os.environ.get("VERIFIER_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _find_chromium() or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

SCAM = "😀 【京东金融】您的白条账户存在异常，需注销学生账户，否则影响征信。请将剩余额度转入安全账户6222 0212 3456 7890 123。"
GENUINE = "【招商银行】您尾号6688的信用卡本期账单5,680.12元，最低还款568.01元，到期还款日07月25日。如已还款请忽略。"
ABUSIVE = "你个老赖，欠钱不还还有脸吗？今天不还款我们就爆你通讯录，通知你全家和单位同事，让你在村里抬不起头！请立即登录官方App还款。"
INBOX = ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"3\">\n"
         f"<sms address=\"95555\" date=\"1763600100000\" type=\"1\" body=\"{GENUINE}\" />\n"
         f"<sms address=\"13800000000\" date=\"1763600200000\" type=\"1\" body=\"{ABUSIVE}\" />\n"
         f"<sms address=\"10690000\" date=\"1763600000000\" type=\"1\" body=\"{SCAM}\" />\n"
         "</smses>\n")


def _require_browser():
    if not Path(CHROMIUM).exists() and not IN_CI:
        pytest.skip("no Chromium/Chrome found (PATH or VERIFIER_CHROMIUM): apt-get install chromium to run the browser "
                    "tests; in CI (CI=true) they must run")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser test needs Debian's Chromium "
                    "(apt-get install chromium; .ci/run installs it). Do not run `playwright install`.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("the browser test needs Playwright: pip install -e '.[test]'")


def test_chromium_and_playwright_are_installed():
    """In CI (CI=true) fails, never skips, when the browser is missing, so CI cannot go green
    without it; elsewhere it skips with the reason."""
    _require_browser()


class Server:
    """`verifier serve --port 0` in a subprocess, as a user starts it (the real uvicorn)."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "verifier", "serve", "--port", "0"], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
        self.lines: list[str] = []
        self.url = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            m = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
            if m:
                self.url = m.group(1)
                break
        if self.url is None:
            self.output()
            pytest.fail("verifier serve did not start:\n" + "".join(self.lines))

    def output(self) -> str:
        """Stops the server; everything it printed."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            rest, _ = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, _ = self.proc.communicate()
        except ValueError:  # already collected
            rest = ""
        self.lines.append(rest or "")
        return "".join(self.lines)


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.output()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    url = server.url
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True, locale="zh-CN",
                              reduced_motion="reduce")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    seen = {"requests": [], "errors": []}
    pg.on("request", lambda r: seen["requests"].append(r.url))
    pg.on("pageerror", lambda e: seen["errors"].append(str(e)))
    # a 400/415 answer is logged by the browser as "Failed to load resource": expected here
    pg.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text and seen["errors"].append(m.text))
    pg.goto(url)
    yield pg
    # the page only ever talks to this server
    for u in seen["requests"]:
        assert u.startswith(url) or u.startswith(("data:", "blob:")), u
    assert not seen["errors"], seen["errors"]
    ctx.close()


def shot(pg, name):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_paste_scam_shows_label_and_highlight(page):
    from playwright.sync_api import expect

    assert page.locator("h1").inner_text() == "催收短信核查"
    page.fill("#text", SCAM)
    page.fill("#sender", "13812345678")
    page.click("#check-btn")
    verdict = page.locator("#result .verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-label") == "scam"
    assert "诈骗" in page.locator(".verdict-label").inner_text()
    assert "判断把握" in page.locator(".verdict-conf").inner_text()
    marks = page.locator("#result mark.ev-risk")
    texts = marks.all_inner_texts()
    # the offsets are code points; the emoji before them must not shift the marks
    assert "注销学生账户" in texts and "安全账户" in texts, texts
    message = page.locator("#result .message").inner_text()
    assert message == SCAM
    # hover shows the explanation
    page.locator("#result mark.ev-risk", has_text="安全账户").first.hover()
    tip = page.locator("#tip")
    tip.wait_for(state="visible")
    assert tip.inner_text().strip()
    assert page.locator("#result .advice li").count() >= 2
    shot(page, "check-scam.png")

    # English: the same verdict, explained in English
    page.click(".lang-btn[data-lang=en]")
    expect(page.locator("#result .verdict-label")).to_contain_text("Scam")
    assert "fraud" in page.locator("#result .summary").inner_text()
    assert page.locator("h1").inner_text() == "Collection SMS check"
    shot(page, "check-scam-en.png")


def test_empty_paste_shows_error(page):
    page.click("#check-btn")
    err = page.locator("#check-error")
    err.wait_for(state="visible")
    assert "空" in err.inner_text()
    # the page stays usable
    page.fill("#text", GENUINE)
    page.fill("#sender", "95555")
    page.click("#check-btn")
    page.locator("#result .verdict").wait_for()
    assert page.locator("#check-error").is_hidden()


def test_upload_inbox_table(page, tmp_path):
    page.click("#tab-inbox")
    page.set_input_files("#file", files=[{"name": "sms-backup.xml", "mimeType": "text/xml", "buffer": INBOX.encode()}])
    page.click("#upload-btn")
    rows = page.locator("#inbox-rows tr.row")
    rows.first.wait_for()
    assert rows.count() == 3
    labels = [rows.nth(i).get_attribute("data-label") for i in range(3)]
    assert labels[0] == "scam"  # sorted by risk
    risk = {"scam": 3, "abusive": 2, "suspicious": 1, "legitimate": 0}
    assert [risk[x] for x in labels] == sorted((risk[x] for x in labels), reverse=True)
    assert "10690000" in rows.first.inner_text()
    chip = page.locator(".chip[data-filter=scam] .count")
    assert int(chip.inner_text()) == labels.count("scam")
    assert page.locator("#problems").is_hidden()

    # a row opens its full verdict, with the evidence marked
    rows.first.click()
    detail = page.locator("#inbox-rows tr.detail .verdict")
    detail.wait_for()
    assert "安全账户" in detail.locator("mark.ev-risk").all_inner_texts()
    shot(page, "inbox.png")

    # filter by label
    page.click(".chip[data-filter=scam]")
    assert all(r.get_attribute("data-label") == "scam" for r in page.locator("#inbox-rows tr.row").all())
    page.click(".chip[data-filter=all]")
    assert page.locator("#inbox-rows tr.row").count() == 3

    # downloads
    with page.expect_download() as dl:
        page.click("#dl-csv")
    csv_path = tmp_path / "r.csv"
    dl.value.save_as(csv_path)
    csv_text = csv_path.read_text("utf-8-sig")
    assert csv_text.startswith("行号,结果,") and "安全账户" in csv_text and len(csv_text.strip().splitlines()) == 4
    assert "1763600000000" not in csv_text and "pay_" not in csv_text  # readable times and reasons, not ids
    with page.expect_download() as dl:
        page.click("#dl-jsonl")
    jl = tmp_path / "r.jsonl"
    dl.value.save_as(jl)
    recs = [json.loads(x) for x in jl.read_text("utf-8").splitlines()]
    assert len(recs) == 3 and recs[0]["label"] == "scam" and {"text", "sender", "line", "evidence"} <= set(recs[0])


def test_upload_broken_file_shows_problems(page):
    page.click("#tab-inbox")
    broken = INBOX.replace("</smses>", "<sms body=\"never closed")
    page.set_input_files("#file", files=[{"name": "broken.xml", "mimeType": "text/xml", "buffer": broken.encode()}])
    page.click("#upload-btn")
    page.locator("#problems").wait_for(state="visible")
    assert "malformed XML" in page.locator("#problem-list").inner_text()
    assert page.locator("#inbox-rows tr.row").count() == 3
    # an unsupported file: a clear error, and the page still works
    page.set_input_files("#file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG"}])
    page.click("#upload-btn")
    page.locator("#upload-error").wait_for(state="visible")
    assert ".xml" in page.locator("#upload-error").inner_text()


def test_mobile_layout(browser, server):
    url = server.url
    # reduced motion: no smooth scrolling, so a tap lands where the element is
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, reduced_motion="reduce")
    pg = ctx.new_page()
    pg.goto(url)
    pg.fill("#text", SCAM)
    pg.tap("#check-btn")  # a phone has no mouse pointer left over the page (a click would leave one)
    pg.locator("#result .verdict").wait_for()
    # nothing wider than the screen
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    mark = pg.locator("#result mark.ev-risk").first
    mark.scroll_into_view_if_needed()
    mark.tap()
    pg.locator("#tip").wait_for(state="visible")
    assert pg.locator("#tip").inner_text().strip()
    # a screenshot moves the emulated pointer (mouseout hides the tip): show it by keyboard focus
    pg.mouse.move(1, 1)
    pg.locator("#sender").focus()
    mark.focus()
    pg.locator("#tip").wait_for(state="visible")
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "tooltip-mobile.png"))  # the viewport: a full-page shot resizes it
    shot(pg, "check-scam-mobile.png")

    # what to do is on the first screen of the verdict
    pg.evaluate("document.querySelector('#result .verdict').scrollIntoView({block: 'start'})")
    adv = pg.locator("#result .advice").bounding_box()
    assert adv is not None and adv["y"] < 844, adv
    pg.screenshot(path=str(ARTIFACTS / "verdict-first-screen-mobile.png"))

    # the inbox is a stack of cards, not a table squeezed to 4 characters a column
    pg.tap("#tab-inbox")
    pg.set_input_files("#file", files=[{"name": "sms-backup.xml", "mimeType": "text/xml", "buffer": INBOX.encode()}])
    pg.tap("#upload-btn")
    rows = pg.locator("#inbox-rows tr.row")
    rows.first.wait_for()
    for i in range(rows.count()):
        box = rows.nth(i).bounding_box()
        text_box = rows.nth(i).locator("td.c-text").bounding_box()
        assert box["height"] < 260 and text_box["width"] > 250, (box, text_box)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.screenshot(path=str(ARTIFACTS / "inbox-cards-mobile.png"), full_page=True)
    ctx.close()


def test_real_server_logs_no_message_text(browser):
    """A server of its own: paste, check_many, bad JSON and an upload go through the real uvicorn;
    then it is stopped and everything it printed is read: the address, and no message text."""
    srv = Server()
    try:
        ctx = browser.new_context()
        pg = ctx.new_page()
        pg.goto(srv.url)
        pg.fill("#text", SCAM)
        pg.click("#check-btn")
        pg.locator("#result .verdict").wait_for()
        statuses = pg.evaluate("""async () => {
            const out = [];
            let r = await fetch('/api/check_many', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                   body: JSON.stringify({messages: ['京东金融 安全账户', '']})});
            out.push(r.status);
            r = await fetch('/api/check', {method: 'POST', body: '{"text": "京东金融 broken'});
            out.push(r.status);
            const fd = new FormData();
            fd.append('file', new Blob(['京东金融 安全账户\\n']), 'x.txt');
            r = await fetch('/api/upload', {method: 'POST', body: fd});
            out.push(r.status);
            return out;
        }""")
        assert statuses == [200, 400, 200]
        ctx.close()
    finally:
        output = srv.output()
    assert "serving on http://127.0.0.1:" in output
    assert "京东" not in output and "安全账户" not in output and "Traceback" not in output, output


def test_page_shows_control_and_direction_characters(page):
    page.fill("#text", "您的借款账户异常，请登录 \u202epot.kfh-kb-cisc\u202c 核实\u001b[2K")
    page.click("#check-btn")
    msg = page.locator("#result .message")
    msg.wait_for()
    shown = msg.inner_text()
    assert "<U+202E>" in shown and "␛[2K" in shown and "\u202e" not in shown
    assert "hidden_direction_control" in page.locator("#result").inner_html() or "方向" in page.locator("#result").inner_text()


def test_real_server_closes_silent_connections(server):
    """A connection that never sends a request is closed (a page of idle sockets cannot pile up)."""
    import socket
    from urllib.parse import urlparse

    u = urlparse(server.url)
    with socket.create_connection((u.hostname, u.port)) as s:
        s.settimeout(25)
        t = time.time()
        assert s.recv(100) == b"" and time.time() - t < 20


def test_real_server_memory_per_upload_is_bounded(server):
    """A 20 MiB SMS backup (20,000 messages checked) and a 20 MiB nest of elements: the server
    stays under 200 MB (its own high-water mark, Linux /proc)."""
    import urllib.request
    import uuid

    status = Path(f"/proc/{server.proc.pid}/status")
    if not status.exists():
        pytest.skip("no /proc on this system")
    one = ('<sms protocol="0" address="10690000" date="1763600000000" type="1" '
           'body="请把钱转到安全账户6222021234567890123配合调查，否则冻结你名下所有账户，今天之内处理完毕" />\n')
    backups = [("<smses>" + one * (20_000_000 // len(one.encode())) + "</smses>").encode()[: 20 * 1024 * 1024 - 1000],
               (b"<smses>" + b"<a>" * 2_000_000 + b"</a>" * 2_000_000 + b"</smses>")[: 20 * 1024 * 1024 - 1000]]
    host = server.url.split("/")[2]
    for data in backups:
        b = uuid.uuid4().hex
        body = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="sms.xml"\r\n'
                "Content-Type: text/xml\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
        req = urllib.request.Request(server.url + "api/upload", data=body, headers={
            "Content-Type": f"multipart/form-data; boundary={b}", "Host": host})
        with urllib.request.urlopen(req, timeout=600) as r:
            assert r.status == 200
            json.loads(r.read())
    peak_mb = int([ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM")][0].split()[1]) / 1024
    assert peak_mb < 200, peak_mb


def test_example_messages_can_be_tried(page):
    buttons = page.locator("#example-list button")
    assert buttons.count() == 4
    buttons.nth(3).click()  # the everyday message
    v = page.locator("#result .verdict")
    v.wait_for()
    assert v.get_attribute("data-label") == "legitimate"
    assert "与借贷无关" in v.inner_text()
