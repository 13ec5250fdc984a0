"""`kfor-kg serve` in a real headless browser (Debian's chromium + chromium-driver, via Selenium).

The server is the real command, started on a free 127.0.0.1 port over a build of the
example reports. Skipped only when Chromium or its driver is not installed here; CI
installs them (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from kfor_kg.build import example_reports  # noqa: E402
from seed_build import seed_file  # noqa: E402
from servers import free_port  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
           "chromium-driver); CI installs them")

PAGES = ["/", "/doc/letter-2021-03-05", "/entity/person/hashim-thaci", "/events", "/troops",
         "/queries", "/queries/signed_in_year?year=2017"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    graph = seed_file(tmp_path_factory.mktemp("serve"))
    port = free_port()
    log = (graph.parent / "serve.log").open("w+b")  # a file, not a pipe: a full pipe would block the server
    process = subprocess.Popen(
        [sys.executable, "-m", "kfor_kg", "serve", "--data", str(graph), "--reports",
         str(example_reports()), "--port", str(port), "-q"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=60) as answer:
                    assert answer.status == 200
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"kfor-kg serve did not start: {log.read().decode(errors='replace')}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        assert "Traceback" not in output and "Error" not in output, output
        assert process.returncode == 0  # SIGTERM is how a server is stopped: no error


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    assert CHROMIUM and DRIVER
    profile = tempfile.mkdtemp(prefix="kfor-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _errors(driver: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_load_without_console_errors(server: str, browser: webdriver.Chrome, page: str) -> None:
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(server + page)
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert _errors(browser) == []
    for image in browser.find_elements(By.TAG_NAME, "img"):
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 0


def test_a_click_on_a_mention_opens_its_entity(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/doc/letter-2021-03-05")
    mentions = browser.find_elements(By.CSS_SELECTOR, "pre.doc-text a.mention")
    assert len(mentions) > 20
    thaci = browser.find_element(By.CSS_SELECTOR, 'pre.doc-text a.mention[href="/entity/person/hashim-thaci"]')
    assert thaci.text == "Hasim Thaci" and "person" in thaci.get_attribute("class")
    thaci.click()
    WebDriverWait(browser, 60).until(EC.url_to_be(server + "/entity/person/hashim-thaci"))
    assert browser.find_element(By.ID, "entity-label").text.startswith("Hashim Thaçi")
    sentences = browser.find_element(By.ID, "mentions").text
    assert "submitted his resignation" in sentences
    assert _errors(browser) == []


def test_query_page_runs_signed_in_year_for_2017(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/queries")
    browser.find_element(By.LINK_TEXT, "signed_in_year").click()
    field = WebDriverWait(browser, 60).until(EC.presence_of_element_located((By.ID, "param-year")))
    field.clear()
    field.send_keys("2017")
    browser.find_element(By.ID, "run").click()
    table = WebDriverWait(browser, 60).until(EC.presence_of_element_located((By.ID, "result")))
    rows = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in table.find_elements(By.TAG_NAME, "tr")[1:]]
    assert [row[0] for row in rows] == ["António Guterres", "Jens Stoltenberg"]
    assert all(row[4].startswith("2017-") for row in rows)
    csv_link = browser.find_element(By.ID, "download-csv").get_attribute("href")
    assert csv_link.endswith("/queries/signed_in_year.csv?year=2017")
    with urllib.request.urlopen(csv_link, timeout=60) as answer:
        lines = answer.read().decode("utf-8").splitlines()
    assert lines[0] == "name,role,organization,doc,letterDate" and len(lines) == 3
    assert _errors(browser) == []
    screenshots = os.environ.get("KFOR_KG_SCREENSHOTS")
    if screenshots:  # for a person to look at: KFOR_KG_SCREENSHOTS=folder pytest tests/test_browser.py
        browser.save_screenshot(str(Path(screenshots) / "query-page.png"))
        browser.get(server + "/doc/letter-2021-03-05")
        browser.save_screenshot(str(Path(screenshots) / "document-page.png"))
