"""The web app in a real headless Chromium (Python playwright, the system's /usr/bin/chromium).

Every request to a host other than the loopback is blocked and recorded; a test fails if the
page tried to reach outside. Screenshots go to each test's tmp_path; the final ones of both
tabs are copied to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # raised inside gradio's queue (pandas 3 deprecations), not by this project
    pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*"),
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT_MS = 20_000

# Gradio translates its own labels: the browser runs with locale zh-CN, like most visitors.
LIKE = "#chat button[aria-label=Like], #chat button[aria-label='赞']"
DISLIKE = "#chat button[aria-label=Dislike], #chat button[aria-label='踩']"

XSS_IMG = "<img src=x onerror=window.__xss=1>"
XSS_LINK = "[x](javascript:window.__xss=1)"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium fonts-wqy-zenhei fonts-noto-cjk)"
        if os.environ.get("RAG_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; RAG_REQUIRE_BROWSER=1 requires the browser tests to run")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(browser, pipeline, tmp_path_factory):
    from ui.app import BackgroundServer, create_app

    db = tmp_path_factory.mktemp("feedback") / "feedback.db"
    with BackgroundServer(create_app(pipeline, db_path=db)) as srv:
        srv.db = db
        yield srv


@pytest.fixture
def page(browser, server):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  permissions=["clipboard-read", "clipboard-write"])
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if host in LOOPBACK or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(server.url + "/", wait_until="domcontentloaded")
    pg.wait_for_selector("#question textarea")
    yield pg
    context.close()
    assert outside == [], f"the page tried to reach outside: {outside}"


# -- helpers ------------------------------------------------------------------------------------
def _bots(page):
    return page.locator("#chat [data-testid=bot]")


def ask(page, question: str):
    """Type a question, press Enter, wait until the streamed answer is complete; return its main message."""
    before = _bots(page).count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        """n => {
            const bots = document.querySelectorAll('#chat [data-testid=bot]');
            return bots.length > n && !document.querySelector('#chat').innerText.includes('正在查找');
        }""",
        arg=before,
    )
    page.wait_for_timeout(300)  # the citations arrive in the next update
    return _bots(page).nth(before)


def rows(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]
    finally:
        conn.close()


def open_lookup(page):
    page.get_by_role("tab", name="热线查询 Lookup").click()
    page.wait_for_selector("#lookup-q textarea")


def keep(page, tmp_path: Path, name: str, docs_name: str | None = None) -> None:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    if docs_name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS / docs_name)


# -- chat ---------------------------------------------------------------------------------------
def test_chat_chinese_then_english(page, tmp_path):
    from playwright.sync_api import expect

    main = ask(page, "今年要建多少5G基站？")
    expect(main).to_contain_text("900座")
    expect(main.locator("strong")).to_contain_text("900座")  # the figure is highlighted
    chat = page.locator("#chat")
    # which report, where in it, which line
    expect(chat).to_contain_text("《威海市2025年政府工作报告》二、2025年政府工作目标任务 › （五）倾力提升城市功能品质… › "
                                 "高水平打造智慧城市（第29行）")
    # the passage the answer rests on is shown at once, under its section and line
    expect(main).to_contain_text("新建5G基站900座,筑牢数字威海建设根基。")
    keep(page, tmp_path, "chat-zh.png")

    main = ask(page, "How many 5G base stations this year?")
    expect(main).to_contain_text("2025 plan")
    expect(main).to_contain_text("900座")
    expect(chat).to_contain_text("高水平打造智慧城市（line 29）")
    keep(page, tmp_path, "chat.png", docs_name="chat.png")

    main = ask(page, "火星移民计划是什么？")
    expect(main).to_contain_text("没有提到这方面的内容")
    expect(main).to_contain_text("最接近的段落")
    # the nearest passages fold away; one opens on click and shows its quote
    titles = chat.get_by_text(re.compile(r"^\[1\] .*（第\d+行）$"))
    expect(titles.last).to_be_visible()
    titles.last.click()
    page.wait_for_timeout(300)
    keep(page, tmp_path, "chat-refusal.png")


def test_example_question_runs(page):
    from playwright.sync_api import expect

    page.get_by_text("威海今年经济增长目标是多少？", exact=True).click()  # examples come from the documents held
    expect(_bots(page).first).to_contain_text("5.5%左右")


def test_list_comparison_and_other_reports(page, tmp_path):
    from playwright.sync_api import expect

    main = ask(page, "想买房，今年楼市这块有哪些支持政策？")
    expect(main).to_contain_text("报告提出的主要举措")
    expect(main.locator("li")).to_have_count(6)  # a list renders as a list
    main = ask(page, "威海和山东今年GDP增长目标分别是多少")
    expect(main).to_contain_text("5.5%左右")
    expect(main).to_contain_text("5%以上")
    main = ask(page, "去年全国GDP增长了多少")
    expect(main).to_contain_text("2024年实际")
    expect(page.locator("#chat")).to_contain_text("《2025年国务院政府工作报告》")
    keep(page, tmp_path, "chat-reports.png")


def test_follow_up_in_the_same_chat(page):
    from playwright.sync_api import expect

    ask(page, "今年要建多少5G基站？")
    main = ask(page, "智慧社区呢？")  # leans on the previous turn: the chat history reaches the pipeline
    expect(main).to_contain_text("90%")
    expect(main).to_contain_text("理解为")  # the question as the pipeline understood it
    main = ask(page, "社零增长目标是多少？")  # a new, standalone question
    expect(main).to_contain_text("5.5%以上")
    expect(page.locator("#chat [data-testid=user]")).to_have_count(3)


def test_thumbs_up_and_comment_are_stored(page, server):
    from playwright.sync_api import expect

    question = "城镇新增就业目标是多少？"
    ask(page, question)
    page.locator(LIKE).last.click()
    expect(page.locator("#feedback-status")).to_contain_text("Thanks")
    [row] = [r for r in rows(server.db) if r["question"] == question]
    assert row["rating"] == 1 and row["comment"] == ""
    assert "3.3万人" in row["direct_answer"]
    assert '"line"' in row["citations"] and row["session"]

    page.fill("#comment textarea", "回答很清楚 <b>ok</b>")
    page.click("#send-comment")
    expect(page.locator("#feedback-status")).to_contain_text("Comment saved")
    [row] = [r for r in rows(server.db) if r["question"] == question]
    assert row["comment"] == "回答很清楚 <b>ok</b>"

    # switching thumbs updates the same row; clicking the thumb off again removes it
    page.locator(DISLIKE).last.click()
    expect(page.locator("#feedback-status")).to_contain_text("没有帮助")
    [again] = [r for r in rows(server.db) if r["question"] == question]
    assert (again["id"], again["rating"], again["comment"]) == (row["id"], -1, "回答很清楚 <b>ok</b>")
    page.locator("#chat button[aria-label=Disliked]").last.click()  # a chosen thumb is labelled so
    expect(page.locator("#feedback-status")).to_contain_text("Rating withdrawn")
    assert [r for r in rows(server.db) if r["question"] == question] == []


def test_thumbs_down_with_a_comment_typed_first(page, server):
    from playwright.sync_api import expect

    question = "What is the GDP growth target?"
    ask(page, question)
    page.fill("#comment textarea", "want last year's figure too")
    page.locator(DISLIKE).last.click()
    expect(page.locator("#feedback-status")).to_contain_text("Thanks")
    [row] = [r for r in rows(server.db) if r["question"] == question]
    assert row["rating"] == -1 and row["comment"] == "want last year's figure too"


@pytest.mark.parametrize("probe", [XSS_IMG, XSS_LINK, f"{XSS_IMG} 5G基站 {XSS_LINK}"])
def test_xss_probes_stay_text_in_chat(page, probe):
    from playwright.sync_api import expect

    ask(page, probe)
    user = page.locator("#chat [data-testid=user]").last
    expect(user).to_contain_text(probe)  # shown literally
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#chat img[src='x'], #chat img[src$='/x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    page.wait_for_timeout(500)  # a broken <img> would fire onerror by now
    assert page.evaluate("typeof window.__xss") == "undefined"


# -- lookup -------------------------------------------------------------------------------------
def test_lookup_search_highlight_and_copy(page, tmp_path):
    from playwright.sync_api import expect

    open_lookup(page)
    # the tab focuses the search box: type and press Enter
    expect(page.locator("#lookup-q textarea")).to_be_focused()
    page.keyboard.type("5g基站")
    page.keyboard.press("Enter")
    first = page.locator("#lookup-results .lk-item").first
    expect(first).to_have_attribute("data-line", "29")
    expect(first.locator(".lk-line")).to_have_text("第29行")
    expect(first.locator("mark:not(.fig)").first).to_have_text("5G基站")  # the query's words
    # and the passage's figures, set apart from the matches
    assert '新建<mark>5G基站</mark><mark class="fig">900座</mark>' in first.inner_html()
    expect(first).to_contain_text("（五）倾力提升城市功能品质… › 高水平打造智慧城市")
    expect(first.locator(".lk-doc")).to_have_text("《威海市2025年政府工作报告》")

    citation = page.locator("#lookup-citation textarea")
    expect(citation).to_have_value("《威海市2025年政府工作报告》二、2025年政府工作目标任务 › （五）倾力提升城市功能品质… › "
                                   "高水平打造智慧城市（第29行）：“新建5G基站900座,筑牢数字威海建设根基。”")
    page.locator("#lookup-citation button").first.click()  # its copy button
    assert page.evaluate("navigator.clipboard.readText()") == citation.input_value()

    # choosing another result changes the citation
    page.locator("#lookup-pick label").nth(1).click()
    expect(citation).not_to_have_value(re.compile(r"（第29行）"))
    keep(page, tmp_path, "lookup-search.png")

    # the report's structure: a part, then a paragraph
    page.locator("#report-part input").click()
    page.get_by_role("option", name="二、2025年政府工作目标任务 › （五）倾力提升城市功能品质…").click()
    expect(page.locator("#report-text")).to_contain_text("第29行")
    page.locator("#report-para input").click()
    page.get_by_role("option", name="第29行 · 高水平打造智慧城市").click()
    expect(citation).to_have_value(
        re.compile(r"^《威海市2025年政府工作报告》二、2025年政府工作目标任务 › （五）倾力提升城市功能品质… › "
                   r"高水平打造智慧城市（第29行）：“高水平打造智慧城市。"))
    selected = page.locator("#report-text .rp-selected")
    expect(selected).to_have_attribute("data-line", "29")
    expect(selected).to_be_in_viewport()  # scrolled to

    # back to the search result for the final picture
    page.locator("#lookup-pick label").first.click()
    expect(citation).to_have_value(re.compile(r"（第29行）"))
    keep(page, tmp_path, "lookup.png", docs_name="lookup.png")


def test_lookup_filters_by_document_and_browses_another_report(page):
    from playwright.sync_api import expect

    open_lookup(page)
    page.locator("#lookup-doc input").click()
    page.get_by_role("option", name="2026年山东省政府工作报告").click()
    page.fill("#lookup-q textarea", "城镇新增就业")
    page.press("#lookup-q textarea", "Enter")
    items = page.locator("#lookup-results .lk-item")
    expect(items.first).to_have_attribute("data-source", "shandong-2026-government-work-report.txt")
    for i in range(items.count()):
        expect(items.nth(i)).to_have_attribute("data-source", "shandong-2026-government-work-report.txt")
    page.locator("#report-doc input").click()
    page.locator("#report-browser").get_by_role("option", name="2024年国务院政府工作报告").click()
    page.locator("#report-part input").click()
    page.get_by_role("option", name="一、2023年工作回顾").click()
    expect(page.locator("#report-text")).to_contain_text("国内生产总值超过126万亿元")


def test_figures_table_side_by_side(page, tmp_path):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="数字 Figures").click()
    expect(page.locator("#figures-table")).to_contain_text("900座")  # the home report's figures
    page.locator("#figures-docs input").click()
    page.get_by_role("option", name="2026年山东省政府工作报告").click()
    page.keyboard.press("Escape")
    page.fill("#figures-metric textarea", "生产总值")
    page.press("#figures-metric textarea", "Enter")
    table = page.locator("#figures-table")
    expect(table.locator(".fg-doc")).to_have_count(2)
    expect(table).to_contain_text("5.5%左右")
    expect(table).to_contain_text("5%以上")
    keep(page, tmp_path, "figures.png", docs_name="figures.png")


def test_lookup_updates_as_you_type(page):
    from playwright.sync_api import expect

    open_lookup(page)
    page.locator("#lookup-q textarea").press_sequentially("供热管网", delay=80)  # no Enter
    first = page.locator("#lookup-results .lk-item").first
    expect(first).to_have_attribute("data-line", "30")
    expect(first.locator("mark:not(.fig)").first).to_have_text("供热管网")


@pytest.mark.parametrize("probe", [XSS_IMG, XSS_LINK])
def test_xss_probes_stay_text_in_lookup(page, probe):
    from playwright.sync_api import expect

    open_lookup(page)
    page.fill("#lookup-q textarea", probe)
    page.press("#lookup-q textarea", "Enter")
    expect(page.locator("#lookup-results")).to_contain_text(probe)
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#lookup-results img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
