import os
import pytest
from plaza import demo

pytestmark = pytest.mark.browser
OUT = "/tmp/look"
SHOTS = os.environ.get("LOOK", "/:en,/design:en").split(",")
WIDTH = int(os.environ.get("LOOK_WIDTH", "360"))


def test_look(app, live_server, browser):
    demo.seed()
    os.makedirs(OUT, exist_ok=True)
    context = browser.new_context(java_script_enabled=os.environ.get("LOOK_JS") == "1", viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    for shot in SHOTS:
        path, lang = shot.split(":")
        page.goto(f"{live_server}/language/{lang}?next={path}")
        if os.environ.get("LOOK_OPEN"):
            for s in page.locator(os.environ["LOOK_OPEN"]).all():
                s.click()
        name = (path.strip("/").replace("/", "_") or "home") + f"-{lang}-{WIDTH}"
        height = page.evaluate("document.documentElement.scrollHeight")
        sw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        print(name, height, sw)
        for i, top in enumerate(range(0, min(height, 8000), 1400)):
            page.screenshot(path=f"{OUT}/{name}-{i}.png", full_page=True, clip={"x": 0, "y": top, "width": WIDTH, "height": min(1400, height - top)})
    context.close()
