"""Screenshots of the pages a newcomer meets, as a 360 px phone shows them, in English and Arabic.

Builds the demo city (`plaza.demo.seed`) on a fresh SQLite file in a temporary folder, serves it on
127.0.0.1 from this process, and with Chromium (Playwright) at 360 px wide writes full-page screenshots of
the home page, the budget consultation, its ballot and check page (signed in as the demo resident) and the
result (after closing and counting the demo ballot) to docs/screenshots/<page>-<language>.png.

    .venv/bin/python scripts/screenshots.py                   # docs/screenshots/, 360 px
    .venv/bin/python scripts/screenshots.py --out /tmp/shots --width 320
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT / "platform"))

LANGUAGES = ("en", "ar")
BUDGET = "/processes/riverside-budget-2027"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--out", type=Path, default=REPOSITORY_ROOT / "docs" / "screenshots",
                        help="folder for the PNG files (default docs/screenshots)")
    parser.add_argument("--width", type=int, default=360, help="viewport width in CSS pixels (default 360)")
    parser.add_argument("--chromium", default=os.environ.get("PLAZA_CHROMIUM", "/usr/bin/chromium"),
                        help="the Chromium to drive (default $PLAZA_CHROMIUM or /usr/bin/chromium)")
    return parser.parse_args(argv)


def build_site(folder: Path, redis_url: str):
    """The app on a fresh database with the demo city, and the id of the demo budget ballot."""
    import sqlalchemy as sa

    from plaza import demo
    from plaza.app import create_app
    from plaza.extensions import db
    from plaza.voting.models import Ballot, BallotKind

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'plaza.sqlite'}",
                     REDIS_URL=redis_url, RATELIMIT_ENABLED=False, PLAZA_BASE_URL="http://127.0.0.1")
    with app.app_context():
        db.create_all()
        demo.seed()
        ballot = db.session.scalar(sa.select(Ballot.id).where(Ballot.kind == BallotKind.BUDGET))
        db.session.remove()
    return app, ballot


def count_demo_ballot(app, ballot_id: int) -> None:
    from plaza import demo
    from plaza.extensions import db
    from plaza.voting import services as voting
    from plaza.voting.models import Ballot

    with app.app_context():
        voting.close_ballot(demo._user(demo.ORGANISER_EMAIL), db.session.get(Ballot, ballot_id))
        if not voting.count_ballot(ballot_id):
            raise SystemExit("the demo ballot could not be counted")
        db.session.remove()


def shoot(page, out: Path, name: str, language: str) -> None:
    path = out / f"{name}-{language}.png"
    page.screenshot(path=path, full_page=True)
    print(f"wrote {path.relative_to(REPOSITORY_ROOT) if path.is_relative_to(REPOSITORY_ROOT) else path}")


def take(args, url: str, app, ballot_id: int) -> None:
    from playwright.sync_api import sync_playwright

    from plaza import demo

    ballot = f"{BUDGET}/ballots/{ballot_id}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        pages = {}
        for language in LANGUAGES:
            context = browser.new_context(viewport={"width": args.width, "height": 740}, locale="en-GB",
                                          device_scale_factor=1)
            page = pages[language] = context.new_page()
            page.goto(f"{url}/language/{language}")
            shoot(page, args.out, "home", language)
            page.goto(url + BUDGET)
            shoot(page, args.out, "consultation", language)
            page.goto(f"{url}/account/login")
            page.locator("#login").fill(demo.RESIDENT_EMAIL)
            page.locator("#password").fill(demo.PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(f"{url}/")
            page.goto(f"{url}/language/{language}")  # the demo resident reads Arabic by default
            page.goto(url + ballot)
            form = page.locator("main form:has(input[type=checkbox])").first
            for box in form.locator("input[type=checkbox]").all()[:2]:
                box.check()
            shoot(page, args.out, "ballot", language)
            form.locator("button[type=submit]").first.click()
            page.wait_for_url("**/check")
            shoot(page, args.out, "check", language)
        count_demo_ballot(app, ballot_id)
        for language, page in pages.items():
            page.goto(f"{url}{ballot}/result")
            shoot(page, args.out, "result", language)
            page.context.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if not (os.path.exists(args.chromium) or shutil.which(args.chromium)):
        print(f"no Chromium at {args.chromium}: install it (apt-get install chromium) or pass --chromium",
              file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="plaza-screenshots-"))
    os.environ["PLAZA_INSTANCE_PATH"] = str(folder / "instance")  # uploads etc. stay out of the repository
    from werkzeug.serving import make_server

    from plaza import embedded_redis

    server = None
    try:
        app, ballot_id = build_site(folder, embedded_redis.ensure_running(folder / "redis"))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        take(args, f"http://127.0.0.1:{server.server_port}", app, ballot_id)
    finally:
        if server is not None:
            server.shutdown()
        embedded_redis.stop(folder / "redis")
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
