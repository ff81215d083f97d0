"""The Gradio demo in headless Chromium (Selenium): upload an image in each tab, run it, wait for the output
picture, check its natural size and that it has content, save a screenshot; a bad upload shows its message
and the page keeps working.

Chromium runs with every host but loopback unreachable (no name resolves, and a dead loopback proxy takes
anything else), and the test checks that the page asked for nothing outside this computer. Screenshots go
to the test's tmp_path and to /tmp/app_shots/ (translate.png, sr.png, fusion.png, bad_input.png) for a
person to look at. Skipped only when /usr/bin/chromium or /usr/bin/chromedriver is missing (``.ci/run``
installs them with apt-get).
"""

import shutil
from pathlib import Path

import pytest

from tests.app.app_images import crop_png

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = Path("/tmp/app_shots")
RUN_TIMEOUT = 120  # seconds one model run may take in the page (cold model load on a busy machine included)

pytestmark = pytest.mark.skipif(not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
                                reason=f"{CHROMIUM} or {CHROMEDRIVER} is missing "
                                       f"(apt-get install chromium chromium-driver; .ci/run does)")

# The picture in a Gradio image output: its natural size and the spread of its pixel values (read back
# through a canvas: the picture is served by the demo itself, so the canvas may read it).
PICTURE_STATS = """
const img = document.querySelector('#' + arguments[0] + ' img');
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
return {width: img.naturalWidth, height: img.naturalHeight, std: Math.sqrt(Math.max(squares / n - mean * mean, 0)),
        src: img.src};
"""
# Error pop-ups (Gradio's toasts) on the page: their text.
ERRORS = "return [...document.querySelectorAll('.toast-message-text.error')].map(t => t.innerText.trim());"
# Every resource the page loaded or tried to load (fonts, scripts, pictures...).
RESOURCES = "return performance.getEntriesByType('resource').map(e => e.name);"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1700",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # no name resolves but loopback's
                 "--proxy-server=127.0.0.1:9",  # and anything else goes to a dead loopback port (loopback bypasses it)
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(browser, demo):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(demo.local_url)
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#translate-file input[type=file]"))
    return browser


def _file(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _open_tab(driver, tab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, f"tab-{tab}-button").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, f"{tab}-run").is_displayed())


def _upload(driver, field, path):
    """Choose ``path`` in the file field ``field`` (clearing the file chosen before) and wait until the
    field shows its name (Gradio shows the stem and the suffix on two lines)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    for button in driver.find_elements(By.CSS_SELECTOR, f"#{field} button[aria-label='Clear']"):
        button.click()
    chooser = WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{field} input[type=file]"))
    chooser[0].send_keys(path)
    WebDriverWait(driver, 30).until(lambda d: Path(path).stem in d.find_element(By.ID, field).text)


def _dismiss_errors(driver):
    driver.execute_script("document.querySelectorAll('.toast-close').forEach(b => b.click())")


def _run(driver, tab, output):
    """Click the tab's run button and wait for the output picture (or fail with the page's error)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, f"{tab}-run").click()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(PICTURE_STATS, output) is None)  # old one cleared
    result = WebDriverWait(driver, RUN_TIMEOUT).until(
        lambda d: d.execute_script(PICTURE_STATS, output) or d.execute_script(ERRORS))
    assert isinstance(result, dict), f"the page shows an error: {result}"
    return result


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

    _open_tab(page, "translate")
    assert "Trained on" in page.find_element(By.ID, "translate-trained").text
    _upload(page, "translate-file", _file(tmp_path, "photo.png", crop_png("day", "rgb", 96, 128)))
    stats = _run(page, "translate", "translate-output")
    assert (stats["width"], stats["height"]) == (128, 96) and stats["std"] > 10
    assert _picture(page, "translate-input")["width"] == 128
    assert "°C" in page.find_element(By.ID, "translate-scale").text
    assert "Predicted temperature: min" in page.find_element(By.ID, "translate-summary").text
    downloads = page.find_element(By.ID, "translate-downloads").text.split("\n")  # stem and suffix on two lines
    assert [line for line in downloads if line.startswith("thermal_")] == ["thermal_8bit", "thermal_inferno",
                                                                            "thermal_counts_16bit"]
    _screenshot(page, tmp_path, "translate.png")


def test_super_resolution_tab(page, tmp_path):
    from selenium.webdriver.common.by import By

    _open_tab(page, "sr")
    _upload(page, "sr-file", _file(tmp_path, "small.png", crop_png("day", "lr_rgb", 48, 64)))
    stats = _run(page, "sr", "sr-output")
    assert (stats["width"], stats["height"]) == (256, 192) and stats["std"] > 10
    assert (_picture(page, "sr-bicubic")["width"], _picture(page, "sr-lr")["width"]) == (256, 256)
    crop = _picture(page, "sr-model-crop")
    assert crop["width"] == crop["height"] == 128 and crop["std"] > 3
    assert "swift_srgan_4x_rgb" in page.find_element(By.ID, "sr-summary").text
    _screenshot(page, tmp_path, "sr.png")


def test_fusion_tab_with_a_bundled_example(page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open_tab(page, "fusion")
    example = WebDriverWait(page, 20).until(lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#tab-fusion button")
                                                        if b.text.startswith("night street: people")])
    example[0].click()
    WebDriverWait(page, 30).until(lambda d: "example-night-thermal" in d.find_element(By.ID, "fusion-infrared").text)
    stats = _run(page, "fusion", "fusion-output")
    assert (stats["width"], stats["height"]) == (128, 128) and stats["std"] > 10
    for element_id in ("fusion-average", "fusion-pyramid"):
        stats = _picture(page, element_id)
        assert (stats["width"], stats["height"]) == (128, 128) and stats["std"] > 10
    table = page.find_element(By.ID, "fusion-metrics").text
    assert all(word in table for word in ("Qabf", "fusiongan", "average", "pyramid"))
    _screenshot(page, tmp_path, "fusion.png")


def test_bad_uploads_show_a_message_and_the_page_keeps_working(page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open_tab(page, "fusion")  # the night example's pair is still chosen: 128×128 each
    _upload(page, "fusion-infrared", _file(tmp_path, "ir.png", crop_png("night", "thermal", 96, 128)))
    page.find_element(By.ID, "fusion-run").click()
    messages = WebDriverWait(page, RUN_TIMEOUT).until(lambda d: d.execute_script(ERRORS))
    assert any("128×128 pixels but the infrared image is 128×96" in m for m in messages), messages
    assert page.execute_script(PICTURE_STATS, "fusion-output") is None  # no stale result beside the message
    _dismiss_errors(page)

    _open_tab(page, "translate")
    _upload(page, "translate-file", _file(tmp_path, "notes.png", b"shopping list: milk, bread"))
    page.find_element(By.ID, "translate-run").click()
    messages = WebDriverWait(page, RUN_TIMEOUT).until(lambda d: d.execute_script(ERRORS))
    assert any("the photo: not an image file: text" in m for m in messages), messages
    assert not any("Traceback" in m for m in messages)
    _screenshot(page, tmp_path, "bad_input.png")
    _dismiss_errors(page)
    # a file over the cap: the page refuses it before sending, with Gradio's message
    big = tmp_path / "big.png"
    with open(big, "wb") as file:
        file.truncate(16 * 2**20 + 1)  # sparse: nothing written
    for button in page.find_elements(By.CSS_SELECTOR, "#translate-file button[aria-label='Clear']"):
        button.click()
    WebDriverWait(page, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#translate-file input[type=file]"))
    page.find_element(By.CSS_SELECTOR, "#translate-file input[type=file]").send_keys(str(big))
    messages = WebDriverWait(page, 30).until(
        lambda d: d.execute_script("return [...document.querySelectorAll('.toast-message-text')]"
                                   ".map(t => t.innerText.trim()).filter(t => t.includes('maximum'))"))
    assert "exceed the maximum allowed size of 16.0 Mb" in messages[0] and "big.png" in messages[0]
    _dismiss_errors(page)
    # the demo still answers: an example runs after the error
    examples = page.find_elements(By.CSS_SELECTOR, "#tab-translate button")
    [b for b in examples if b.text.startswith("night street")][0].click()
    WebDriverWait(page, 30).until(lambda d: "example-night-rgb" in d.find_element(By.ID, "translate-file").text)
    assert _run(page, "translate", "translate-output")["width"] == 128


def test_the_page_asked_for_nothing_outside_this_computer(page, demo):
    origin = demo.local_url.rstrip("/")
    outside = [url for url in page.execute_script(RESOURCES)
               if not url.startswith((origin, "data:", "blob:"))]
    assert outside == []
