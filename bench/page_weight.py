"""How many bytes does each kind of page cost a resident on a phone?

Builds the app on a fresh SQLite file with the demo city (`plaza.demo.seed`, as `flask plaza seed-demo`),
then fetches each page type with the Flask test client, signed out and signed in (as the demo resident),
together with the stylesheets and scripts it links, and prints their sizes raw, gzip- and br-compressed as
Plaza sends them (the server's own compression, asked for with `Accept-Encoding`). A page's weight is its
HTML plus everything it links from Plaza (CSS, JavaScript, images); the budget (issue 11) is 60 KB per page
compressed (gzip, the larger of the two).

Unlike the other benchmarks this one is a check: it exits 1 when a page is over the budget or does not
answer 200.

    .venv/bin/python bench/page_weight.py              # the table
    .venv/bin/python bench/page_weight.py --markdown   # the same table in Markdown (README, "Page weight")
    .venv/bin/python bench/page_weight.py --quick      # the same (it takes a few seconds); for make bench-smoke
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

KB = 1024
BUDGET_KB = 60
LINKED = re.compile(r'<(?:link[^>]+rel="(?:stylesheet|icon)"[^>]*href|script[^>]+src|img[^>]+src)="([^"]+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Weight:
    page: str
    who: str
    html: tuple[int, int, int]  # raw, gzip, br
    assets: tuple[int, int, int]
    files: int

    @property
    def gzip(self) -> int:
        return self.html[1] + self.assets[1]

    @property
    def br(self) -> int:
        return self.html[2] + self.assets[2]

    def over(self, budget: int) -> bool:
        return max(self.gzip, self.br) > budget


class PageFailed(Exception):
    pass


def sizes(client, url: str) -> tuple[tuple[int, int, int], str]:
    """The body's size sent without compression, with gzip and with br; and the plain body."""
    measured = []
    text = ""
    for encoding in ("identity", "gzip", "br"):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        if response.status_code != 200:
            raise PageFailed(f"{url} answered {response.status_code}")
        measured.append(len(response.data))
        if encoding == "identity":
            text = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
    return (measured[0], measured[1], measured[2]), text


def weigh(client, page: str, who: str, url: str) -> Weight:
    html, text = sizes(client, url)
    assets = [0, 0, 0]
    linked = sorted({link.replace("&amp;", "&") for link in LINKED.findall(text) if link.startswith("/")})
    for link in linked:
        for index, size in enumerate(sizes(client, link)[0]):
            assets[index] += size
    return Weight(page, who, html, (assets[0], assets[1], assets[2]), len(linked))


def sign_in(client, login: str, password: str) -> None:
    token = CSRF.search(client.get("/account/login").get_data(as_text=True))
    response = client.post("/account/login", data={"csrf_token": token.group(1) if token else "",
                                                   "login": login, "password": password})
    if response.status_code != 302:
        raise PageFailed(f"signing in as {login} answered {response.status_code}")


def measure() -> list[Weight]:
    import sqlalchemy as sa

    from plaza import demo
    from plaza.app import create_app
    from plaza.extensions import db
    from plaza.processes.models import Process
    from plaza.proposals.models import Proposal
    from plaza.voting import services as voting
    from plaza.voting.models import Ballot
    from plaza.voting.views import CHECKING

    folder = Path(os.environ["PLAZA_INSTANCE_PATH"]).parent
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'plaza.sqlite'}",
                     REDIS_URL=os.environ["PLAZA_BENCH_REDIS"], RATELIMIT_ENABLED=False,
                     PLAZA_BASE_URL="http://plaza.bench")
    with app.app_context():
        db.create_all()
        demo.seed()
        streets = db.session.scalar(sa.select(Process).where(Process.slug == "safer-streets-2027"))
        proposal = db.session.scalar(sa.select(Proposal.id).where(Proposal.process_id == streets.id)
                                     .order_by(Proposal.id))
        budget = db.session.scalar(sa.select(Process).where(Process.slug == "riverside-budget-2027"))
        ballot = db.session.scalar(sa.select(Ballot).where(Ballot.process_id == budget.id))
        ballot_url = f"/processes/{budget.slug}/ballots/{ballot.id}"
        choices = [option.id for option in ballot.options][:2]
        ballot_id = ballot.id
        db.session.remove()

    pages = [("home", "/"), ("consultations", "/processes/"), ("consultation", f"/processes/{streets.slug}"),
             ("proposal", f"/processes/{streets.slug}/proposals/{proposal}"), ("ballot", ballot_url),
             ("check page", f"{ballot_url}/check"), ("sign-in", "/account/login")]
    weights = []
    # No app context around the requests: each request gets its own, as in production (an outer one would
    # share Flask-Login's cached user between the two clients).
    signed_out, signed_in = app.test_client(), app.test_client()
    sign_in(signed_in, demo.RESIDENT_EMAIL, demo.PASSWORD)
    for who, client in (("signed out", signed_out), ("signed in", signed_in)):
        for page, url in pages:
            if (page == "check page" and who == "signed out") or (page == "sign-in" and who == "signed in"):
                continue  # the check page needs a voter's choices; the sign-in page sends a signed-in person on
            if page == "check page":  # the choices, as the ballot's form leaves them (other pages forget them)
                with client.session_transaction() as session:
                    session[CHECKING] = {"ballot": ballot_id, "choices": choices}
            weights.append(weigh(client, page, who, url))
        if client.get("/design").status_code == 200:
            weights.append(weigh(client, "design", who, "/design"))
    with app.app_context():
        organiser = db.session.scalar(sa.select(demo.User).where(demo.User.email == demo.ORGANISER_EMAIL))
        voting.close_ballot(organiser, db.session.get(Ballot, ballot_id))
        if not voting.count_ballot(ballot_id):
            raise PageFailed("the demo ballot could not be counted")
        db.session.remove()
    for who, client in (("signed out", signed_out), ("signed in", signed_in)):
        weights.append(weigh(client, "result", who, f"{ballot_url}/result"))
    order = [page for page, _ in pages] + ["result", "design"]
    return sorted(weights, key=lambda w: (order.index(w.page), w.who != "signed out"))


def kilobytes(size: int) -> str:
    return f"{size / KB:.1f}"


def table(weights: list[Weight], budget: int, markdown: bool) -> str:
    header = ["page", "who", "HTML raw", "gzip", "br", "linked raw", "gzip", "br", "total gzip", "total br",
              f"≤ {budget // KB} KB"]
    rows = [[w.page, w.who, *map(kilobytes, w.html), *map(kilobytes, w.assets), kilobytes(w.gzip),
             kilobytes(w.br), "OVER" if w.over(budget) else "OK"] for w in weights]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * 9) + "|"]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(width) if i < 2 else str(cell).rjust(width)
                               for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
                     for row in [header, *rows])


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=int, default=BUDGET_KB, help="KB per page, compressed (default 60)")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    parser.add_argument("--quick", action="store_true", help="accepted for make bench-smoke; the run is short")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    folder = Path(tempfile.mkdtemp(prefix="plaza-weight-"))
    os.environ["PLAZA_INSTANCE_PATH"] = str(folder / "instance")  # uploads etc. stay out of the repository
    from plaza import embedded_redis

    try:
        os.environ["PLAZA_BENCH_REDIS"] = embedded_redis.ensure_running(folder / "redis")
        weights = measure()
    except PageFailed as error:
        print(f"PAGE WEIGHT FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        embedded_redis.stop(folder / "redis")
        shutil.rmtree(folder, ignore_errors=True)
    budget = args.budget * KB
    print(table(weights, budget, args.markdown))
    over = [w for w in weights if w.over(budget)]
    heaviest = max(weights, key=lambda w: max(w.gzip, w.br))
    print(f"\nheaviest: {heaviest.page} ({heaviest.who}), {kilobytes(max(heaviest.gzip, heaviest.br))} KB "
          f"compressed; budget {args.budget} KB per page")
    if over:
        print("OVER BUDGET: " + ", ".join(f"{w.page} ({w.who})" for w in over), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
