"""The web app in a real browser: Playwright driving Debian's Chromium against a real server.

Every page is opened (with no console error: a CSP violation would show there), a case is
edited until the editor shows a located problem, fixed and saved, a run is launched and
watched, its results read with the lens switched and a figure downloaded, the map's date
slider moved and the games' sliders used. Screenshots go to ``$DILEMMA_SCREENSHOTS`` (or the
test's temporary folder).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from security_dilemma.scenario import load_case
from security_dilemma.web import create_app

from .conftest import make_config

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("DILEMMA_CHROMIUM", "/usr/bin/chromium"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server (uvicorn, in a thread) on a free loopback port; its base URL."""
    config = make_config(tmp_path_factory.mktemp("browser"))
    port = _free_port()
    uv = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded browser)."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh page; fails the test on any console error or uncaught exception."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go."""
    folder = Path(os.environ.get("DILEMMA_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_opens(page: Page, shots: Path) -> None:
    for url, heading in [
        ("/cases", "Cases"),
        ("/cases/bmd-europe", "missile defence in Europe"),
        ("/run?case=bmd-europe", "Run a case"),
        ("/runs", "Runs"),
        ("/games", "Games"),
        ("/cases/bmd-europe/backtest?replicates=4", "Backtest"),
        ("/cases/bmd-europe/whatif?replicates=4", "What if"),
        ("/classroom", "Classroom"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_contain_text(heading)
        page.screenshot(
            path=shots / f"page{url.replace('/', '_').split('?')[0]}.png", full_page=False
        )


def test_no_page_is_wider_than_a_phone(page: Page, shots: Path) -> None:
    """At 390 px a wide table scrolls inside itself and a long source URL breaks: the page
    itself never scrolls sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ["/cases", "/cases/bmd-europe", "/editor?case=bmd-europe", "/map/bmd-europe",
                "/run?case=bmd-europe", "/runs", "/games", "/classroom"]:  # fmt: skip
        page.goto(url)
        wider = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wider == 0, (url, wider)
    page.goto("/cases/bmd-europe")
    page.screenshot(path=shots / "case-390.png", full_page=False)


def test_the_navigation_reaches_the_classroom(page: Page) -> None:
    page.goto("/cases")
    link = page.locator("header nav a", has_text="Classroom")
    expect(link).not_to_have_class("on")
    link.click()
    expect(page.locator("h1")).to_have_text("Classroom")
    expect(page.locator("header nav a.on")).to_have_text("Classroom")
    box = page.locator("header").bounding_box()
    assert box is not None and box["height"] < 80, box  # the links stay on one line


def _drawn(page: Page) -> int:
    """Wait until the interactive map has drawn the features of its date; their number."""
    page.wait_for_function(
        "() => { const m = document.getElementById('map-live'); "
        "return m && m.dataset.features !== undefined; }",
        timeout=30_000,
    )
    return int(page.locator("#map-live").get_attribute("data-features") or 0)


def _settled_zoom(page: Page) -> int:
    """The map's zoom once it has stopped moving (its first fit may still be animating on a
    busy machine, and a click then is lost)."""
    page.wait_for_function(
        """() => new Promise(done => {
            const m = document.getElementById('map-live');
            const z = m.dataset.zoom;
            setTimeout(() => done(!m.classList.contains('leaflet-zoom-anim')
                                  && m.dataset.zoom === z), 400);
        })""",
        timeout=15_000,
    )
    return int(page.locator("#map-live").get_attribute("data-zoom") or 0)


def test_the_interactive_map_pans_zooms_and_names_what_is_on_it(page: Page, shots: Path) -> None:
    page.goto("/map/bmd-europe")
    live = page.locator("#map-live")
    expect(live).to_be_visible()
    expect(page.locator("#map-static")).to_be_hidden()  # the SVG: the no-script fallback
    assert _drawn(page) > 20
    sites = page.locator("path.leaflet-interactive[stroke='#fff']")  # defence-site markers
    expect(sites.first).to_be_visible()
    page.screenshot(path=shots / "map-interactive.png", full_page=False)
    zoom = _settled_zoom(page)
    page.locator(".leaflet-control-zoom-in").click()
    expect(live).to_have_attribute("data-zoom", str(zoom + 1), timeout=5_000)
    centre = live.get_attribute("data-center")
    box = live.bounding_box()
    assert box is not None
    x, y = box["x"] + 40, box["y"] + box["height"] - 40
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 200, y - 60, steps=8)
    page.mouse.up()
    expect(live).not_to_have_attribute("data-center", centre or "", timeout=5_000)
    page.locator(".leaflet-control-zoom-out").click()
    expect(live).to_have_attribute("data-zoom", str(zoom), timeout=5_000)
    names = {s.name for s in load_case("bmd-europe").defence_sites}
    site = sites.first
    site.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible(timeout=5_000)
    assert (tooltip.text_content() or "").strip() in names
    site.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(re.compile(r"status on \d{4}-\d{2}-\d{2}"))
    expect(popup).to_contain_text(re.compile(r"range\d+(\.\d+)? km"))
    expect(popup).to_contain_text("sources:")
    page.wait_for_function(  # the map pans to show the whole popup
        "() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect(); "
        "const m = document.getElementById('map-live').getBoundingClientRect(); "
        "return p.top >= m.top && p.bottom <= m.bottom; }",
        timeout=5_000,
    )
    page.screenshot(path=shots / "map-popup.png", full_page=False)
    end = page.locator("#map-date-label").text_content()
    slider = page.locator("#map-date")
    slider.focus()
    slider.press("Home")  # the case's start: the sites announced later are planned or absent
    expect(page.locator("#map-date-label")).not_to_have_text(end or "")
    start = page.locator("#map-date-label").text_content() or ""
    expect(live).to_have_attribute("data-date", start, timeout=5_000)
    page.wait_for_function(
        "(n) => document.getElementById('map-live').dataset.features != n",
        arg=live.get_attribute("data-features"),
        timeout=30_000,
    )
    expect(page.locator("#map-download")).to_have_attribute("href", re.compile(f"date={start}$"))
    page.screenshot(path=shots / "map-start.png", full_page=False)


def test_the_map_without_scripts_is_the_server_s_svg(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, java_script_enabled=False)
    pg = context.new_page()
    pg.goto("/map/bmd-europe")
    expect(pg.locator("#map-live")).to_be_hidden()
    img = pg.locator("#map-img")
    expect(img).to_be_visible()
    pg.locator("select[name=date]").select_option(index=0)
    pg.locator("#map-form button[type=submit]").click()
    pg.wait_for_url(re.compile(r"date=\d{4}-\d{2}-\d{2}"))
    expect(img).to_have_attribute("src", re.compile(r"map\.svg\?date=" + pg.url[-10:]))
    context.close()


def test_backtest_and_what_if_from_a_case(page: Page, shots: Path) -> None:
    page.goto("/cases/bmd-europe")
    page.locator("#case-backtest").click()
    page.wait_for_url(re.compile(r"/cases/bmd-europe/backtest"))
    page.locator("input[name=lens][value=pyramid]").check()
    page.locator("input[name=replicates]").fill("4")
    page.locator("#backtest-form button[type=submit]").click()
    expect(page.locator("#analysis.computing")).to_be_visible()  # polled while it computes
    page.screenshot(path=shots / "backtest-computing.png", full_page=False)
    expect(page.locator("#skills tbody tr")).to_have_count(8, timeout=120_000)
    for img in ("skill-img", "reliability-img"):
        page.wait_for_function(
            f"() => {{ const i = document.getElementById('{img}'); "
            "return i.complete && i.naturalWidth > 0; }",
            timeout=30_000,
        )
    expect(page.locator("#answer")).to_contain_text("persistence")
    page.screenshot(path=shots / "backtest.png", full_page=True)
    with page.expect_download() as info:
        page.locator("#skill-csv").click()
    rows = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("lens,baseline,") and len(rows) == 9
    with page.expect_download() as info:
        page.locator("#reliability-svg").click()
    assert "<svg" in Path(info.value.path()).read_text(encoding="utf-8")
    page.goto("/cases/bmd-europe")
    page.locator("#case-whatif").click()
    page.locator("input[name=replicates]").fill("4")
    page.locator("#whatif-form button[type=submit]").click()
    table = page.locator("#whatif-table")
    expect(table).to_contain_text("USA", timeout=120_000)
    expect(table).to_contain_text(re.compile(r"less secure|more secure|no clear change"))
    page.locator("#whatif-metric").select_option("effort")  # swapped in by htmx, then wired
    page.wait_for_url(re.compile(r"metric=effort"))
    expect(page.locator("#analysis h2")).to_contain_text("effort")
    page.wait_for_function(
        "() => { const i = document.getElementById('whatif-img'); "
        "return i.complete && i.naturalWidth > 0; }",
        timeout=30_000,
    )
    page.screenshot(path=shots / "whatif.png", full_page=True)
    with page.expect_download() as info:
        page.locator("#whatif-csv").click()
    head = Path(info.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("lens,actor,counterpart,metric,step,date")


def test_edit_see_a_located_error_fix_and_save(page: Page, shots: Path) -> None:
    page.goto("/editor?case=bmd-europe")
    expect(page.locator("#valid")).to_be_visible()
    editor = page.locator("#yaml")
    lines = editor.input_value().count("\n") + 1
    editor.click()
    editor.press("Control+End")
    typed = "\nthreat_level: high"
    page.keyboard.type(typed)  # a field the schema does not know, on a new last line
    problem = page.locator("#problems .problems li").first
    expect(problem).to_contain_text(
        re.compile(rf"bmd-europe\.yaml:{lines + 1}:1: threat_level: .*"), timeout=10_000
    )
    page.screenshot(path=shots / "editor-error.png", full_page=False)
    for _ in typed:
        page.keyboard.press("Backspace")
    expect(page.locator("#valid")).to_be_visible(timeout=10_000)
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/cases/u-[0-9a-f]{12}$"))
    expect(page.locator("h1")).to_contain_text("US missile defence in Europe")
    page.screenshot(path=shots / "case-saved.png", full_page=False)


def test_the_case_form_and_the_yaml_update_each_other(page: Page, shots: Path) -> None:
    page.goto("/editor?case=bmd-europe")
    expect(page.locator("#valid")).to_be_visible()
    yaml = page.locator("#yaml")
    lens = page.locator("#f-actors_1__lens")  # Russia
    lens.select_option("liberalism")
    expect(yaml).to_have_value(re.compile(r"- id: RUS\n(  .*\n)*?  lens: liberalism\n"))
    expect(page.locator("#valid")).to_be_visible()
    offence = page.locator("#f-parameters_offence_dominance")
    offence.fill("1.5")
    offence.press("Tab")  # a change: the server writes it into the YAML and checks the case
    error = page.locator("#f-parameters_offence_dominance-error")
    expect(error).to_contain_text("less than or equal to 1", timeout=10_000)
    expect(offence).to_have_attribute("aria-invalid", "true")
    expect(yaml).to_have_value(re.compile(r"offence_dominance: 1\.5\n"))
    expect(page.locator("#problems .problems li").first).to_contain_text(
        re.compile(r"case\.yaml:\d+:\d+: parameters\.offence_dominance: ")
    )
    page.screenshot(path=shots / "editor-form-error.png", full_page=False)
    fixed = yaml.input_value().replace("offence_dominance: 1.5", "offence_dominance: 0.6")
    yaml.evaluate(  # as typing would (fill() is slow on a 250 kB text)
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        fixed,
    )
    expect(page.locator("#valid")).to_be_visible(timeout=10_000)
    expect(page.locator("#f-parameters_offence_dominance")).to_have_value("0.6")
    expect(error).to_have_count(0)
    page.locator("#group-events summary").click()  # the events, folded until asked for
    date = page.locator("#f-events_0__date")
    date.fill("2001-02-30")
    date.press("Tab")
    expect(page.locator("#f-events_0__date-error")).to_contain_text("YYYY-MM-DD")
    expect(yaml).to_have_value(re.compile(r"date: 2001-03-12\n"))  # the bad date is not written
    page.screenshot(path=shots / "editor-form.png", full_page=False)


def test_run_watch_progress_switch_lens_and_download(page: Page, shots: Path) -> None:
    page.goto("/run?case=bmd-europe")
    page.locator("input[name=lens][value=liberalism]").check()
    page.locator("input[name=replicates]").fill("150")
    page.locator("input[name=seed]").fill("7")
    page.locator("#launch").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f]{16}"))
    bar = page.locator("#progress-bar")
    # progress arrives by server-sent events while the run computes (6 chunks)
    page.wait_for_function(
        "() => { const b = document.getElementById('progress-bar'); "
        "return b && b.value > 0 && b.value < b.max; }",
        timeout=30_000,
    )
    page.screenshot(path=shots / "run-progress.png", full_page=False)
    figure = page.locator("#figure")
    expect(figure).to_be_visible(timeout=60_000)  # the page reloads when the run ends
    expect(bar).to_have_attribute("value", "6")
    page.locator("#actor").select_option("RUS")
    page.wait_for_url(re.compile(r"metric=security&actor=RUS"))
    page.locator("#lens").select_option("liberalism")
    page.wait_for_url(re.compile(r"lens=liberalism"))
    expect(figure).to_have_attribute("src", re.compile(r"actor=RUS.*lens=liberalism"))
    page.wait_for_function(
        "() => { const i = document.getElementById('figure'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    net = page.locator("#net-img")
    before = net.get_attribute("src")
    step = page.locator("#net-step")
    step.focus()
    step.press("Home")  # the network on the case's first date
    expect(net).not_to_have_attribute("src", before or "")
    expect(page.locator("#net-step-label")).to_have_text("2001-01-01")
    page.wait_for_function(
        "() => { const i = document.getElementById('net-img'); "
        "return i.complete && i.naturalWidth > 0 && i.src.endsWith('step=0'); }"
    )
    page.screenshot(path=shots / "results.png", full_page=True)
    with page.expect_download() as info:
        page.locator("#dl-svg").click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert "<svg" in svg and "liberalism" in svg
    with page.expect_download() as info:
        page.locator("#dl-csv").click()
    rows = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "lens,step,date,n,mean,sd" and all(
        r.startswith("liberalism,") for r in rows[1:]
    )
    page.goto("/runs")
    expect(page.locator("#runs .state").first).to_have_text("complete")


def test_games_sliders_update_the_tables(page: Page, shots: Path) -> None:
    page.goto("/games")
    name = page.locator("#game-name")
    expect(name).to_contain_text("Prisoner")
    r = page.locator("#classify-form input[name=r]")
    r.focus()
    for _ in range(3):
        r.press("ArrowRight")  # R from 3 to 4.5: mutual restraint now beats exploiting
    expect(name).to_contain_text("Stag Hunt")
    prior = page.locator("#kydd-form input[name=prior]")
    prior.focus()
    prior.press("ArrowRight")
    prior.press("ArrowRight")
    expect(page.locator("#kydd-summary")).to_contain_text("(prior 0.4)")
    table = page.locator("#tournament-table")
    expect(table).to_contain_text("Defector")
    page.locator("#tournament-form input[value=Defector]").uncheck()
    expect(table).not_to_contain_text("Defector")
    expect(table.locator("tbody tr")).to_have_count(9)
    page.screenshot(path=shots / "games.png", full_page=True)
