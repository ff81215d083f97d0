"""The web demo in headless Chromium (Selenium): upload an image in each tab, run it, wait for the output
picture, check its size and that it has content, save a screenshot; a bad upload shows a message.

Screenshots go to the test's tmp_path and to /tmp/app_shots/ (translate.png, sr.png, fusion.png,
bad_input.png) for a person to look at. Skipped only when /usr/bin/chromium or /usr/bin/chromedriver
is missing (``.ci/run`` installs them with apt-get).
"""

import shutil
from pathlib import Path

import pytest

from tests.app.app_images import crop_png

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = Path("/tmp/app_shots")
RUN_TIMEOUT = 60  # seconds one model run may take in the page (cold model load included)

pytestmark = pytest.mark.skipif(not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
                                reason=f"{CHROMIUM} or {CHROMEDRIVER} is missing "
                                       f"(apt-get install chromium chromium-driver; .ci/run does)")

# The output picture's size and the spread of its pixel values, read back in the page through a canvas.
PICTURE_STATS = """
const img = document.getElementById(arguments[0]);
if (!img || !img.complete || !img.naturalWidth) return null;
const canvas = document.createElement('canvas');
canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
const context = canvas.getContext('2d');
context.drawImage(img, 0, 0);
const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
let sum = 0, squares = 0, n = 0;
for (let i = 0; i < data.length; i += 4) {
  const grey = (data[i] + data[i + 1] + data[i + 2]) / 3; sum += grey; squares += grey * grey; n += 1;
}
const mean = sum / n;
return {width: img.naturalWidth, height: img.naturalHeight, std: Math.sqrt(Math.max(squares / n - mean * mean, 0))};
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1500",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(browser, server):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url)
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    return browser


def _file(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _run_and_wait(driver, tab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("document.getElementById(arguments[0]).dataset.state = ''", f"{tab}-results")
    driver.find_element(By.ID, f"{tab}-run").click()
    WebDriverWait(driver, RUN_TIMEOUT).until(
        lambda d: d.find_element(By.ID, f"{tab}-results").get_attribute("data-state") in ("done", "error"))
    state = driver.find_element(By.ID, f"{tab}-results").get_attribute("data-state")
    assert state == "done", driver.find_element(By.ID, f"{tab}-message").text


def _picture(driver, element_id):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(lambda d: d.execute_script(PICTURE_STATS, element_id))


def _screenshot(driver, tmp_path, name):
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(tmp_path / name))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / name, SHOTS / name)
    assert (tmp_path / name).stat().st_size > 10_000


def test_translate_tab(page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page.find_element(By.ID, "tab-translate").click()
    assert "Trained on" in page.find_element(By.ID, "translate-trained").text
    Select(page.find_element(By.ID, "translate-model")).select_by_value("pix2pix_rgb2thermal_128")
    page.find_element(By.ID, "translate-file").send_keys(_file(tmp_path, "photo.png", crop_png("day", "rgb", 96, 128)))
    _run_and_wait(page, "translate")
    stats = _picture(page, "translate-output")
    assert (stats["width"], stats["height"]) == (128, 96) and stats["std"] > 10
    assert "°C" in page.find_element(By.ID, "translate-scale").text
    assert "Predicted temperature: min" in page.find_element(By.ID, "translate-celsius").text
    links = [a.get_attribute("download") for a in page.find_elements(By.CSS_SELECTOR, "#translate-downloads a")]
    assert links == ["thermal_8bit.png", "thermal_inferno.png", "thermal_counts_16bit.png"]
    _screenshot(page, tmp_path, "translate.png")


def test_super_resolution_tab(page, tmp_path):
    from selenium.webdriver.common.by import By

    page.find_element(By.ID, "tab-sr").click()
    page.find_element(By.ID, "sr-file").send_keys(_file(tmp_path, "small.png", crop_png("day", "lr_rgb", 48, 64)))
    _run_and_wait(page, "sr")
    stats = _picture(page, "sr-output")
    assert (stats["width"], stats["height"]) == (256, 192) and stats["std"] > 10
    crop = _picture(page, "sr-model-crop")
    assert crop["width"] == crop["height"] == 128 and crop["std"] > 3
    assert "swift_srgan_4x_rgb" in page.find_element(By.ID, "sr-model-caption").text
    _screenshot(page, tmp_path, "sr.png")


def test_fusion_tab(page, tmp_path):
    from selenium.webdriver.common.by import By

    page.find_element(By.ID, "tab-fusion").click()
    page.find_element(By.ID, "fusion-visible").send_keys(_file(tmp_path, "vis.png", crop_png("night", "rgb", 112, 128)))
    infrared = crop_png("night", "thermal", 112, 128)
    page.find_element(By.ID, "fusion-infrared").send_keys(_file(tmp_path, "ir.png", infrared))
    _run_and_wait(page, "fusion")
    for element_id in ("fusion-output", "fusion-average", "fusion-pyramid"):
        stats = _picture(page, element_id)
        assert (stats["width"], stats["height"]) == (128, 112) and stats["std"] > 10
    rows = page.find_elements(By.CSS_SELECTOR, "#fusion-metrics tr")
    assert len(rows) == 4 and "Qabf" in rows[0].text and rows[1].text.startswith("fusiongan")
    assert len(page.find_elements(By.CSS_SELECTOR, "#fusion-metrics td.best")) == 9
    _screenshot(page, tmp_path, "fusion.png")


def test_bad_uploads_show_a_message_and_the_page_keeps_working(page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page.find_element(By.ID, "tab-fusion").click()
    smaller = crop_png("night", "thermal", 96, 128)  # the visible image chosen above is 128×112
    page.find_element(By.ID, "fusion-infrared").send_keys(_file(tmp_path, "ir.png", smaller))
    page.find_element(By.ID, "fusion-run").click()
    message = WebDriverWait(page, RUN_TIMEOUT).until(
        lambda d: d.find_element(By.ID, "fusion-message").text if "error" in
        d.find_element(By.ID, "fusion-message").get_attribute("class") else None)
    assert "128×112 pixels but the infrared image is 128×96" in message and "Traceback" not in message

    page.find_element(By.ID, "tab-translate").click()
    page.find_element(By.ID, "translate-file").send_keys(_file(tmp_path, "notes.png", b"shopping list: milk, bread"))
    page.find_element(By.ID, "translate-run").click()
    message = WebDriverWait(page, RUN_TIMEOUT).until(
        lambda d: d.find_element(By.ID, "translate-message").text if "error" in
        d.find_element(By.ID, "translate-message").get_attribute("class") else None)
    assert message.startswith("the photo: not an image file: text") and "Traceback" not in message
    assert not page.find_element(By.ID, "translate-results").is_displayed()  # no stale result beside the message
    _screenshot(page, tmp_path, "bad_input.png")
    # the server still answers: an example runs after the error
    from selenium.webdriver.support.ui import Select

    Select(page.find_element(By.ID, "translate-example")).select_by_value("night")
    WebDriverWait(page, 20).until(lambda d: "example-night-image.png" in d.find_element(By.ID, "translate-chosen").text)
    _run_and_wait(page, "translate")
    assert _picture(page, "translate-output")["width"] == 128
