"""What a person sees, in a real headless Chromium (Debian's chromium + chromium-driver, via Selenium):
typing without diacritics, highlighting, paging, the document page, keyboard suggestions, and document
text that looks like HTML staying inert; the phone layout, the keyboard path and axe-core's accessibility
rules on every kind of page. Screenshots of the results page are kept in test-artifacts/."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import BAC_KAN, REPO, SEEDS
from test_web import HOSTILE_TEXT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = REPO / "test-artifacts"
# axe-core, installed from the npm registry by tests/run.sh into this folder ($AXE_CORE_DIR to change it)
AXE_DIR = Path(os.environ.get("AXE_CORE_DIR") or Path.home() / ".cache" / "vn-report-search")
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        "Debian packages chromium and chromium-driver are not installed (tests/run.sh installs them)",
        allow_module_level=True,
    )

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the project's test extra")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The app served by waitress on a free local port, over the seeds plus one hostile document."""
    import waitress

    from searcher.index.indexer import index_paths
    from web import create_app

    docs = tmp_path_factory.mktemp("browser-docs")
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, docs / seed.name)
    (docs / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("browser-index")
    index_paths([docs], index_dir)
    app = create_app({"INDEX_DIR": str(index_dir), "DEFAULT_LIMIT": 2})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait(browser, condition, timeout: float = 10):
    return WebDriverWait(browser, timeout).until(condition)


def no_alert(browser) -> bool:
    try:
        _ = browser.switch_to.alert  # raises when there is none
    except NoAlertPresentException:
        return True
    return False


def search_from_home(browser, base_url, text: str) -> None:
    browser.get(base_url + "/")
    # autofocus is applied after load, not always before get() returns
    wait(browser, lambda b: b.switch_to.active_element.get_attribute("id") == "q")
    box = browser.switch_to.active_element
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait(browser, EC.presence_of_element_located((By.ID, "stats")))


def test_unaccented_query_finds_and_highlights(browser, base_url):
    search_from_home(browser, base_url, "quoc phong toan dan")
    first = browser.find_elements(By.CSS_SELECTOR, ".hit")[0]
    title = first.find_element(By.CSS_SELECTOR, "h3 a")
    assert title.text == "Hội nghị sơ kết xây dựng nền quốc phòng toàn dân giai đoạn 2009 - 2019"
    assert BAC_KAN in title.get_attribute("href")
    marks = [m.text.lower() for m in first.find_elements(By.CSS_SELECTOR, ".snippet mark")]
    assert "quốc phòng toàn dân" in marks  # adjacent matched words are one mark
    assert browser.find_element(By.ID, "q").get_attribute("value") == "quoc phong toan dan"
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "results-page.png"))


def test_paging_through_results(browser, base_url):
    search_from_home(browser, base_url, "quốc phòng")
    first_page = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")]
    assert len(first_page) == 2
    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits[start='3']")))
    second_page = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")]
    assert len(second_page) == 2 and not set(second_page) & set(first_page)
    assert browser.find_element(By.CSS_SELECTOR, "[aria-current=page]").text == "2"
    browser.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits[start='1']")))
    assert [
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")
    ] == first_page


def test_open_a_document_and_come_back(browser, base_url):
    search_from_home(browser, base_url, "quoc phong toan dan")
    browser.find_element(By.CSS_SELECTOR, ".hit h3 a").click()
    heading = wait(browser, EC.presence_of_element_located((By.TAG_NAME, "h1")))
    assert heading.text == "Hội nghị sơ kết xây dựng nền quốc phòng toàn dân giai đoạn 2009 - 2019"
    marks = browser.find_elements(By.CSS_SELECTOR, "#text mark")
    assert len(marks) > 3 and {"quốc", "phòng"} <= {w for m in marks for w in m.text.lower().split()}
    assert browser.find_elements(By.CSS_SELECTOR, ".related li")
    browser.find_element(By.LINK_TEXT, "‹ Quay lại kết quả").click()
    wait(browser, EC.presence_of_element_located((By.ID, "stats")))
    assert browser.find_element(By.ID, "q").get_attribute("value") == "quoc phong toan dan"


def test_suggestions_with_the_keyboard(browser, base_url):
    browser.get(base_url + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("quoc ph")
    options = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#suggestions li"))
    assert options[0].text == "quốc phòng"
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ARROW_DOWN)
    assert options[0].get_attribute("aria-selected") == "true"
    box.send_keys(Keys.ENTER)
    wait(browser, EC.presence_of_element_located((By.ID, "stats")))
    assert browser.find_element(By.ID, "q").get_attribute("value") == "quốc phòng"
    assert browser.find_elements(By.CSS_SELECTOR, ".hit")


def test_escape_closes_suggestions(browser, base_url):
    browser.get(base_url + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("quoc ph")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#suggestions li"))
    box.send_keys(Keys.ESCAPE)
    assert not browser.find_element(By.ID, "suggestions").is_displayed()


def test_document_html_is_shown_as_text_and_runs_nothing(browser, base_url):
    search_from_home(browser, base_url, "bảo mật")
    snippet = browser.find_elements(By.CSS_SELECTOR, ".hit .snippet")[0].text
    assert "<script>alert('xss')</script>" in snippet and "<img src=x onerror=alert(1)>" in snippet
    assert no_alert(browser)
    assert (
        browser.execute_script(
            "return document.querySelectorAll('.hits img, .hits script, .hits a[href^=javascript]').length"
        )
        == 0
    )
    browser.find_element(By.CSS_SELECTOR, ".hit h3 a").click()
    text = wait(browser, EC.presence_of_element_located((By.ID, "text"))).text
    assert "<script>alert('xss')</script>" in text and '<a href="javascript:alert(2)">bấm</a>' in text
    assert no_alert(browser)
    assert (
        browser.execute_script("return document.querySelectorAll('#text img, #text script, #text a').length")
        == 0
    )


def height(element) -> float:
    return element.rect["height"]


def test_results_fit_a_phone_screen(browser, base_url):
    browser.set_window_size(390, 844)
    try:
        browser.get(base_url + "/?q=quoc+phong+toan+dan")
        wait(browser, EC.presence_of_element_located((By.ID, "stats")))
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        # sort and filters are reachable above the first result, folded into one row
        summary = browser.find_element(By.CSS_SELECTOR, "#filters summary")
        first_hit = browser.find_element(By.CSS_SELECTOR, ".hit")
        assert summary.location["y"] + height(summary) <= first_hit.location["y"]
        assert first_hit.location["y"] < 844  # the first result shows on the first screen
        assert browser.find_element(By.ID, "filters").get_attribute("open") is None
        assert height(summary) >= 44
        ARTIFACTS.mkdir(exist_ok=True)
        assert browser.save_screenshot(str(ARTIFACTS / "results-page-phone.png"))
        summary.click()
        links = browser.find_elements(By.CSS_SELECTOR, "#filters .facet a, .pages a, .pages strong")
        assert links and all(height(link) >= 44 for link in links if link.is_displayed())
        assert browser.save_screenshot(str(ARTIFACTS / "results-page-phone-filters.png"))
        browser.find_element(By.LINK_TEXT, "Mới nhất").click()
        wait(browser, EC.url_contains("sort=date"))
        assert "Mới nhất" in browser.find_element(By.CSS_SELECTOR, "#filters summary").text
    finally:
        browser.set_window_size(1280, 900)


def test_filters_stay_open_on_a_wide_screen(browser, base_url):
    browser.get(base_url + "/?q=quoc+phong")
    assert browser.find_element(By.ID, "filters").get_attribute("open") is not None
    assert browser.find_element(By.LINK_TEXT, "Mới nhất").is_displayed()


def test_keyboard_path_skip_link_to_the_first_result(browser, base_url):
    browser.get(base_url + "/?q=quoc+phong")
    body = browser.find_element(By.TAG_NAME, "body")
    assert browser.switch_to.active_element == body  # no autofocus on a results page
    body.send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    browser.switch_to.active_element.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    first_title = browser.find_element(By.CSS_SELECTOR, ".hit h3 a")
    assert focused == first_title  # three key presses to the first result


def test_space_scrolls_a_results_page(browser, base_url):
    browser.set_window_size(390, 600)
    try:
        browser.get(base_url + "/?q=quoc+phong")
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)
        wait(browser, lambda b: b.execute_script("return window.scrollY") > 0)
        assert browser.find_element(By.ID, "q").get_attribute("value") == "quoc phong"
    finally:
        browser.set_window_size(1280, 900)


def test_back_to_results_keeps_page_sort_and_filters(browser, base_url):
    browser.get(base_url + "/?q=qu%E1%BB%91c+ph%C3%B2ng&sort=date&from=2019&to=2024&page=2")
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits[start='3']")))
    second_page = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")]
    browser.find_element(By.CSS_SELECTOR, ".hit h3 a").click()
    wait(browser, EC.presence_of_element_located((By.ID, "text")))
    browser.find_element(By.LINK_TEXT, "‹ Quay lại kết quả").click()
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits[start='3']")))
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")] == second_page
    url = browser.current_url
    assert "sort=date" in url and "from=2019" in url and "to=2024" in url and "page=2" in url


def test_suggestion_completion_is_bold_and_arrows_fill_the_box(browser, base_url):
    browser.get(base_url + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("quoc ph")
    options = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#suggestions li"))
    assert options[0].text == "quốc phòng"
    assert options[0].find_element(By.TAG_NAME, "b").text == "òng"  # typed part plain, completion bold
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("value") == "quốc phòng"
    box.send_keys(Keys.ARROW_UP)  # back above the list: what was typed
    assert box.get_attribute("value") == "quoc ph"
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("value") == "quoc ph"
    assert not browser.find_element(By.ID, "suggestions").is_displayed()


def test_enter_during_ime_composition_is_left_to_the_input_method(browser, base_url):
    browser.get(base_url + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("quoc ph")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#suggestions li"))
    box.send_keys(Keys.ARROW_DOWN)
    prevented = browser.execute_script(
        "var e = new KeyboardEvent('keydown', {key: 'Enter', isComposing: true, bubbles: true,"
        " cancelable: true}); arguments[0].dispatchEvent(e); return e.defaultPrevented;",
        box,
    )
    assert prevented is False and browser.current_url.rstrip("/") == base_url  # nothing chosen or sent
    assert browser.find_element(By.ID, "suggestions").is_displayed()


# --- axe-core's rules on every kind of page ---------------------------------------------------------------
AXE_PAGES = {
    "home": "/",
    "results": "/?q=quoc+phong",
    "results-filtered": "/?q=qu%E1%BB%91c+ph%C3%B2ng&from=2019&to=2019",
    "no-result": "/?q=xyzzyq+plugh",
    "reversed-dates": "/?q=quoc+phong&from=2023&to=2019",
    "document": "/doc?id=" + BAC_KAN + "&q=quoc+phong",
    "error": "/?q=a&from=yesterday",
    "not-found": "/nowhere",
}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed in {AXE_DIR} (tests/run.sh installs it with npm)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_no_accessibility_violations(browser, base_url, axe_source, name, width):
    browser.set_window_size(width, 844 if width < 500 else 900)
    try:
        browser.get(base_url + AXE_PAGES[name])
        browser.execute_script(axe_source)
        result = browser.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document).then(function (r) { done(r.violations.map(function (v) {"
            " return v.id + ': ' + v.help + ' ' + v.nodes.map(function (n) { return n.target.join(' '); })"
            ".join(', '); })); }, function (e) { done(['axe failed: ' + e]); });"
        )
        assert result == []
    finally:
        browser.set_window_size(1280, 900)
