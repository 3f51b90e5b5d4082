"""A class in a real browser: Debian's Chromium through Playwright, three browser contexts (an
instructor and two students) on one real server. They join, play two turns, exchange a
proposal, each sees only its own seat, and the instructor opens the debrief. Screenshots go to
``$DILEMMA_SCREENSHOTS`` (or the test's temporary folder); docs/img/classroom-*.png are these.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.web.test_browser import browser, server  # noqa: F401 - the same real server and browser

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DILEMMA_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class People:
    """Browser contexts of one class (each its own cookies), failing on any console error."""

    def __init__(self, chromium: Browser, base: str) -> None:
        self.browser, self.base = chromium, base
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def page(self, width: int = 1280) -> Page:
        context = self.browser.new_context(
            base_url=self.base, viewport={"width": width, "height": 900}
        )
        self.contexts.append(context)
        page = context.new_page()

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.errors.append(msg.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page


@pytest.fixture
def people(browser: Browser, server: str) -> Iterator[People]:  # noqa: F811
    crowd = People(browser, server)
    yield crowd
    for context in crowd.contexts:
        context.close()
    assert not crowd.errors, crowd.errors


def _join(page: Page, code: str, name: str, seat: str) -> None:
    page.goto(f"/classroom?code={code}")
    page.fill("#join-form input[name=name]", name)
    page.fill("#join-form input[name=seat]", seat)
    page.click("#join")
    expect(page.locator("#seat")).to_have_text(seat)


def _move(page: Page, period: int, effort: str, toward: str, cooperation: str) -> None:
    expect(page.locator("#move-period")).to_have_value(str(period), timeout=15_000)
    page.fill("#move-form input[name=effort]", effort)
    page.fill(f"#move-form input[name='cooperation.{toward}']", cooperation)
    page.click("#submit-move")
    expect(page.locator("#move-state")).to_have_text("move submitted")


def test_a_class_plays_two_turns_and_reads_the_debrief(people: People, shots: Path) -> None:
    teacher = people.page()
    teacher.goto("/classroom")
    teacher.fill("#create-form input[name=seats]", "USA,RUS,POL,IRN")
    teacher.fill("#create-form input[name=turns]", "2")
    teacher.fill("#create-form input[name=groups]", "1")
    teacher.screenshot(path=shots / "classroom-home.png")
    teacher.click("#create")
    code = teacher.locator("#join-code").inner_text()
    assert len(code) == 6

    usa, rus = people.page(), people.page(width=420)  # RUS on a phone-sized screen
    _join(usa, code, "Alex <b>A</b>", "USA")
    _join(rus, code, "Robin", "RUS")
    expect(usa.locator("h1")).to_contain_text("You play USA")
    expect(usa.locator("p.hint").first).to_contain_text("Alex <b>A</b>")  # shown as text

    # turn 0: USA proposes a treaty, RUS accepts; both move; a private message to POL
    usa.select_option("#propose-form select[name=to]", "RUS")
    usa.select_option("#propose-form select[name=kind]", "treaty")
    usa.fill("#propose-form textarea[name=text]", "No new interceptor sites")
    usa.click("#send-proposal")
    usa.select_option("#message-form select[name=to]", "POL")
    usa.fill("#message-form textarea[name=text]", "for POL only")
    usa.click("#send-message")
    _move(usa, 0, "0.1", "RUS", "0.7")
    rus.reload()
    expect(rus.locator("#proposals")).to_contain_text("No new interceptor sites")
    rus.click("#proposals button.accept")
    expect(rus.locator("#proposals")).to_contain_text("accepted")
    expect(rus.locator("#messages")).not_to_contain_text("for POL only")
    _move(rus, 0, "-0.1", "USA", "0.6")
    rus.screenshot(path=shots / "classroom-seat-phone.png", full_page=True)
    usa.screenshot(path=shots / "classroom-seat.png", full_page=True)

    teacher.reload()
    expect(teacher.locator("#world-1")).to_contain_text("Alex <b>A</b>")
    teacher.screenshot(path=shots / "classroom-instructor.png", full_page=True)
    teacher.click("#advance")
    expect(teacher.locator("#world-1 h2")).to_contain_text("turn 1")

    # turn 1: the seat pages notice the new turn by themselves (polling) and reload
    _move(usa, 1, "0", "RUS", "0.9")
    _move(rus, 1, "0.05", "USA", "0.5")
    teacher.fill("#inject-form input[name=title]", "Summit in Geneva")
    teacher.select_option("#inject-form select[name=kind]", "summit")
    teacher.fill(
        "#inject-form textarea[name=effects]",
        "- {type: identity, from: [USA], to: [RUS], delta: 0.2}",
    )
    teacher.click("#inject")
    teacher.click("#advance")
    expect(teacher.locator("#world-1 h2")).to_contain_text("game over")
    expect(usa.locator("#status")).to_have_text("game over", timeout=15_000)

    teacher.click("#debrief-link")
    expect(teacher.locator("h1")).to_contain_text("Debrief")
    expect(teacher.locator("#record-proposals")).to_contain_text("accepted")
    expect(teacher.locator("#record-messages")).to_contain_text("for POL only")
    teacher.screenshot(path=shots / "classroom-debrief.png", full_page=False)


def test_a_slider_sets_the_number_and_the_move_is_stored(people: People) -> None:
    teacher = people.page()
    teacher.goto("/classroom")
    teacher.fill("#create-form input[name=seats]", "USA,RUS")
    teacher.click("#create")
    code = teacher.locator("#join-code").inner_text()
    usa = people.page()
    _join(usa, code, "Sam", "USA")
    share = "Defence share of the effort (0–1)"
    slider = usa.get_by_label(f"{share} (slider)")
    number = usa.get_by_label(share, exact=True)  # both labelled: the number for keyboards
    expect(number).to_have_attribute("type", "number")
    slider.focus()
    usa.keyboard.press("Home")
    for _ in range(3):
        usa.keyboard.press("ArrowRight")
    expect(number).to_have_value("0.15")  # the number next to the slider follows it
    rus = usa.locator("#f-cooperation-RUS-slider")
    rus.focus()
    usa.keyboard.press("End")
    expect(usa.locator("#f-cooperation-RUS")).to_have_value("1")
    usa.locator("#f-effort").fill("-0.05")  # and typing a number moves the slider
    expect(usa.locator("#f-effort-slider")).to_have_value("-0.05")
    usa.click("#submit-move")
    expect(usa.locator("#move-state")).to_have_text("move submitted")
    token = usa.url.rsplit("/", 1)[1]
    stored = usa.request.get(f"/api/classroom/seat/{token}").json()["move"]
    assert stored["allocation"] == 0.15 and stored["cooperation"]["RUS"] == 1.0
    assert stored["effort"] == -0.05
    expect(usa.get_by_label(f"{share} (slider)")).to_have_value("0.15")  # shown after reload
