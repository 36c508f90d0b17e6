"""Does browsing proposals stay flat as a consultation grows?

Fills a fresh database with a small and a large consultation (default 1,000 and 50,000 proposals, 10
comments each, supports, full-text index rows for proposals and comments), then times the pages residents
use most with the Flask test client: the proposal list (first page and a middle page), a proposal page
with its comments, and a search. It prints p50/p95/mean per size and the p95 ratio large/small.
Target: a ratio of at most 2.0x. This is a report, not a test: it exits 0 even when over target, and
fails (exit 1) only if a page does not answer 200 or the data is not what it should be.

    .venv/bin/python bench/proposals.py                 # full run on SQLite (1,000 vs 50,000)
    .venv/bin/python bench/proposals.py --quick         # CI smoke run (200 vs 2,000, 30 requests)
    .venv/bin/python bench/proposals.py --backend postgresql   # PLAZA_BENCH_DATABASE_URL; DROPS EVERYTHING there
"""

import argparse
import gc
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
if str(REPOSITORY_ROOT / "platform") not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT / "platform"))  # works without `pip install -e .` too

import sqlalchemy as sa  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_RATIO = 2.0
CHUNK = 5_000  # rows per executemany
BLOCK = 2_000  # proposals generated (with their comments, supports, index rows) per round
COMMENTS_PER_PROPOSAL = 10
SEED = 4_2024
SLUG = "bench-city-budget"
SEARCH_WORD = "skatepark"  # in no word list: put into ~1% of proposals (title, body or a comment)
SEARCH_SHARE = 0.01

# --- text ----------------------------------------------------------------------------------------------

WORDS = {
    "en": ("street park bench tree light crossing school library bus stop bicycle lane pavement square "
           "playground market garden water fountain noise traffic safety neighbourhood housing rent youth "
           "elderly access ramp toilet shelter bin recycling compost sports court pool theatre music art "
           "mural festival clean repair build plant open close extend protect support improve reduce "
           "free public local green quiet safe accessible community centre workshop river bridge path "
           "night winter summer children families disability wheelchair shade heat flood climate energy "
           "solar roof meeting vote budget council district neighbours dogs cats benches lighting"),
    "es": ("calle parque banco árbol luz paso escuela biblioteca autobús parada bicicleta carril acera plaza "
           "mercado huerto agua fuente ruido tráfico seguridad barrio vivienda alquiler jóvenes mayores "
           "acceso rampa aseo refugio papelera reciclaje compost deporte pista piscina teatro música arte "
           "mural fiesta limpiar reparar construir plantar abrir ampliar proteger mejorar reducir gratis "
           "público local verde tranquilo seguro accesible centro taller río puente camino noche invierno "
           "verano niños familias sombra calor inundación clima energía solar tejado vecinos presupuesto"),
    "ca": ("carrer parc banc arbre llum pas escola biblioteca autobús parada bicicleta carril vorera plaça "
           "mercat hort aigua font soroll trànsit seguretat barri habitatge lloguer joves gent gran accés "
           "rampa lavabo refugi paperera reciclatge esport pista piscina teatre música art mural festa "
           "netejar reparar construir plantar obrir ampliar protegir millorar reduir gratuït públic local "
           "verd tranquil segur accessible centre taller riu pont camí nit hivern estiu infants famílies "
           "ombra calor inundació clima energia solar teulada veïns pressupost"),
    "sv": ("gata park bänk träd ljus övergångsställe skola bibliotek buss hållplats cykel cykelbana trottoar "
           "torg lekplats marknad odling vatten fontän buller trafik trygghet grannskap bostad hyra unga "
           "äldre tillgång ramp toalett skydd soptunna återvinning kompost idrott bana simhall teater musik "
           "konst väggmålning festival städa laga bygga plantera öppna förlänga skydda förbättra minska "
           "gratis offentlig lokal grön tyst säker tillgänglig center verkstad å bro stig natt vinter "
           "sommar barn familjer skugga värme översvämning klimat energi sol tak grannar budget"),
    "ko": ("거리 공원 벤치 나무 조명 횡단보도 학교 도서관 버스 정류장 자전거 도로 보도 광장 놀이터 시장 텃밭 "
           "물 분수 소음 교통 안전 동네 주택 임대료 청년 어르신 접근성 경사로 화장실 쉼터 쓰레기통 재활용 "
           "퇴비 운동 경기장 수영장 극장 음악 예술 벽화 축제 청소 수리 건설 심기 개방 확장 보호 개선 감소 "
           "무료 공공 지역 녹색 조용한 안전한 센터 작업장 강 다리 산책로 밤 겨울 여름 어린이 가족 그늘 "
           "더위 홍수 기후 에너지 태양광 지붕 이웃 예산"),
    "id": ("jalan taman bangku pohon lampu penyeberangan sekolah perpustakaan bus halte sepeda jalur trotoar "
           "alun pasar kebun air mancur kebisingan lalu lintas keamanan lingkungan perumahan sewa pemuda "
           "lansia akses ramp toilet tempat sampah daur ulang kompos olahraga lapangan kolam teater musik "
           "seni mural festival membersihkan memperbaiki membangun menanam membuka memperluas melindungi "
           "meningkatkan mengurangi gratis umum lokal hijau tenang aman pusat bengkel sungai jembatan "
           "malam musim anak keluarga teduh panas banjir iklim energi surya atap tetangga anggaran"),
    "ar": ("شارع حديقة مقعد شجرة إنارة ممر مدرسة مكتبة حافلة موقف دراجة مسار رصيف ساحة ملعب سوق بستان "
           "ماء نافورة ضجيج مرور أمان حي سكن إيجار شباب كبار وصول منحدر مرحاض مأوى حاوية تدوير سماد رياضة "
           "مسبح مسرح موسيقى فن جدارية مهرجان تنظيف إصلاح بناء زراعة فتح توسيع حماية تحسين تقليل مجاني "
           "عام محلي أخضر هادئ آمن مركز ورشة نهر جسر طريق ليل شتاء صيف أطفال عائلات ظل حر فيضان مناخ "
           "طاقة شمسية سطح جيران ميزانية"),
}
WORDS = {language: tuple(text.split()) for language, text in WORDS.items()}
LANGUAGES = tuple(WORDS)
LANGUAGE_WEIGHTS = (35, 20, 12, 10, 8, 8, 7)
FIRST_NAMES = ("Ana Bo Carla Dani Eun Fatima Gustav Hana Ines Jordi Kim Laila Marta Nils Omar Putri Rafael "
               "Sara Tomas Usman Vera Wei Yusuf Zeynep").split()
LAST_NAMES = ("Andersson Bakr Castells Dewi Esteve Ferrer Garcia Haddad Jang Lindqvist Lopez Martí Nasser "
              "Park Puig Rahman Santoso Soler Wijaya Yoon").split()
CATEGORIES = ("Mobility", "Green spaces", "Housing", "Culture", "Sports", "Safety", "Education", "Health",
              "Accessibility", "Climate", "Youth", "Elderly care")
DISTRICTS = ("Old Town", "Harbour", "North Hills", "Riverside", "Market Quarter", "University", "East Gate",
             "Garden City", "Industrial Park", "West End")
assert all(SEARCH_WORD not in words for words in WORDS.values())


def sentence(rng: random.Random, words: tuple[str, ...], low: int, high: int) -> str:
    text = " ".join(rng.choices(words, k=rng.randint(low, high)))
    return text[:1].upper() + text[1:]


def paragraphs(rng: random.Random, words: tuple[str, ...], count: int, low: int, high: int,
               marker: bool = False) -> list[str]:
    parts = [sentence(rng, words, low, high) + "." for _ in range(count)]
    if marker:
        index = rng.randrange(count)
        parts[index] = f"{parts[index][:-1]} {SEARCH_WORD}."
    return parts


# --- filling -------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    size: int
    slug: str = SLUG
    viewable_ids: list[int] = field(default_factory=list)  # published or withdrawn (not merged)
    published: int = 0
    search_matches: int = 0  # published proposals that the search word finds
    rows: dict[str, int] = field(default_factory=dict)
    fill_seconds: float = 0.0
    insert_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def middle_page(self) -> int:
        from plaza.proposals.listing import PER_PAGE

        return max(1, math.ceil(self.published / PER_PAGE) // 2)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def drop_everything(engine: sa.Engine) -> None:
    """Drop every table the database has (as tests/conftest.py does before each test)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


class Inserter:
    """Bulk Core inserts (executemany) in chunks, timed per table."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    def __call__(self, model, rows: list[dict]) -> None:
        from plaza.extensions import db

        if not rows:
            return
        name = model.__tablename__
        started = time.perf_counter()
        for start in range(0, len(rows), CHUNK):
            db.session.execute(sa.insert(model), rows[start:start + CHUNK])
        self.dataset.insert_seconds[name] = self.dataset.insert_seconds.get(name, 0.0) + time.perf_counter() - started
        self.dataset.rows[name] = self.dataset.rows.get(name, 0) + len(rows)


def fill(size: int, users: int) -> Dataset:
    """Fill the (empty, freshly created) database of the current app context. Deterministic per size."""
    from werkzeug.security import generate_password_hash

    from plaza.accounts.models import Role, User
    from plaza.clock import utcnow
    from plaza.comments.models import Comment, Stance
    from plaza.districts import District
    from plaza.extensions import db
    from plaza.phases import PhaseKind
    from plaza.processes.services import PhasePlan, create_process
    from plaza.proposals.models import AnswerState, Category, Proposal, ProposalState, Support
    from plaza.search import SearchDocument

    rng = random.Random(SEED)
    dataset = Dataset(size=size)
    insert = Inserter(dataset)
    started = time.perf_counter()
    now = utcnow()
    history = timedelta(days=90)
    begin = now - history

    password_hash = generate_password_hash("benchmark passphrase, not used to sign in", method="scrypt")
    insert(User, [{
        "id": number, "email": f"resident{number}@bench.example.org", "username": None,
        "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "password_hash": password_hash,
        "role": Role.RESIDENT, "locale": rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0], "active": True,
        "created_at": begin - timedelta(days=rng.randint(1, 400)),
    } for number in range(1, users + 1)])
    insert(Category, [{"id": number, "name": name} for number, name in enumerate(CATEGORIES, start=1)])
    insert(District, [{"id": number, "name": name} for number, name in enumerate(DISTRICTS, start=1)])
    db.session.commit()
    plan = PhasePlan(kind=PhaseKind.PROPOSALS, title="Proposals", starts_at=begin - timedelta(days=1),
                     ends_at=now + timedelta(days=30))
    process = create_process(None, "City budget: what should we build?", "Propose, support and discuss.",
                             "Every resident may propose how to spend part of the city budget.", [plan],
                             slug=SLUG, support_threshold=50)
    process_id = process.id
    progress(f"  {users:,} users, process '{SLUG}'; now {size:,} proposals in blocks of {BLOCK:,} ...")

    user_ids = range(1, users + 1)
    step = history / size
    document_id = comment_id = 0
    support_weights = [1.0 / (k + 1) ** 1.6 for k in range(60)]  # few supports for most, many for some
    reported_at = time.perf_counter()
    for block_start in range(1, size + 1, BLOCK):
        proposals, comments, supports, documents = [], [], [], []
        for proposal_id in range(block_start, min(size, block_start + BLOCK - 1) + 1):
            language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
            words = WORDS[language]
            created_at = begin + step * (proposal_id - 1) + step * rng.random() * 0.9
            marked = rng.random() < SEARCH_SHARE
            where = rng.choice(("title", "body", "comment")) if marked else None
            title = sentence(rng, words, 3, 9)
            if where == "title":
                title = f"{title} {SEARCH_WORD}"
            body_parts = paragraphs(rng, words, rng.randint(1, 4), 8, 40, marker=where == "body")
            roll = rng.random()
            state = ProposalState.PUBLISHED
            merged_into = None
            if roll < 0.03:
                state = ProposalState.WITHDRAWN
            elif roll < 0.05 and proposal_id > 1:
                state = ProposalState.MERGED
                merged_into = rng.randrange(max(1, proposal_id - 500), proposal_id)
            answer = None
            if state is ProposalState.PUBLISHED and rng.random() < 0.10:
                answer = rng.choice(list(AnswerState))
            backers = rng.sample(user_ids, min(users, rng.choices(range(60), support_weights)[0]))
            if rng.random() < 0.01:
                backers = rng.sample(user_ids, min(users, rng.randint(60, 400)))
            proposals.append({
                "id": proposal_id, "process_id": process_id, "author_id": rng.choice(user_ids),
                "title": title[:200], "body": "".join(f"<p>{part}</p>" for part in body_parts),
                "language": language,
                "category_id": rng.randint(1, len(CATEGORIES)) if rng.random() < 0.85 else None,
                "district_id": rng.randint(1, len(DISTRICTS)) if rng.random() < 0.70 else None,
                "address": f"{sentence(rng, words, 1, 2)} {rng.randint(1, 200)}" if rng.random() < 0.3 else None,
                "state": state, "merged_into_id": merged_into, "supports_count": len(backers),
                "comments_count": COMMENTS_PER_PROPOSAL, "answer_state": answer,
                "answer_text": f"<p>{sentence(rng, words, 10, 30)}.</p>" if answer else None,
                "answered_at": created_at + timedelta(days=3) if answer else None,
                "answered_by_id": rng.choice(user_ids) if answer else None,
                "submission_key": f"bench-proposal-{proposal_id}", "created_at": created_at, "edited_at": None,
            })
            if state is not ProposalState.MERGED:
                dataset.viewable_ids.append(proposal_id)
            if state is ProposalState.PUBLISHED:
                dataset.published += 1
                dataset.search_matches += marked
            for supporter in backers:
                supports.append({"proposal_id": proposal_id, "user_id": supporter, "process_id": process_id,
                                 "created_at": created_at + timedelta(minutes=rng.randint(1, 5000))})
            document_id += 1
            documents.append({"id": document_id, "proposal_id": proposal_id, "comment_id": None,
                              "body": f"{title} {' '.join(body_parts)}"})
            # A thread of 10: six top-level comments, three replies, one reply to a reply.
            first = comment_id + 1
            parents = [None] * 6 + [first, first + 1, first + 6, first + 2]
            marked_comment = rng.randrange(COMMENTS_PER_PROPOSAL) if where == "comment" else None
            age = max(timedelta(minutes=10), now - created_at)
            offsets = sorted(rng.random() for _ in range(COMMENTS_PER_PROPOSAL))
            for index, parent in enumerate(parents):
                comment_id += 1
                text = " ".join(paragraphs(rng, words, rng.randint(1, 2), 5, 30, marker=index == marked_comment))
                depth = 0 if parent is None else (1 if parent < first + 6 else 2)
                comments.append({
                    "id": comment_id, "proposal_id": proposal_id, "author_id": rng.choice(user_ids),
                    "parent_id": parent, "depth": depth, "stance": rng.choice(list(Stance)),
                    "body": f"<p>{text}</p>", "upvotes_count": 0, "hidden_at": None, "hidden_reason": None,
                    "hidden_by_id": None, "submission_key": f"bench-comment-{comment_id}",
                    "created_at": created_at + age * offsets[index] * 0.99 + timedelta(seconds=index),
                    "edited_at": None,
                })
                document_id += 1
                documents.append({"id": document_id, "proposal_id": proposal_id, "comment_id": comment_id,
                                  "body": text})
        insert(Proposal, proposals)
        insert(Comment, comments)
        insert(Support, supports)
        insert(SearchDocument, documents)
        db.session.commit()
        done = proposals[-1]["id"]
        if time.perf_counter() - reported_at > 15 or done == size:
            reported_at = time.perf_counter()
            progress(f"  {done:,}/{size:,} proposals ({time.perf_counter() - started:.0f} s)")

    if db.engine.dialect.name == "postgresql":
        for table in ("user", "category", "district", "proposal", "comment", "search_document"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                       f"(SELECT max(id) FROM \"{table}\"))"))
        db.session.commit()
        # What autovacuum would have done by the time a real database held this much (since PostgreSQL 13
        # it vacuums after inserts too, which lets the sort indexes answer deep pages without the table).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    dataset.fill_seconds = time.perf_counter() - started
    return dataset


# --- measuring -----------------------------------------------------------------------------------------

ENDPOINTS = ("list, page 1", "list, middle page", "proposal page", "search")


@dataclass
class Result:
    times: list[float] = field(default_factory=list)  # seconds
    queries: list[int] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times)


class StatementTimer:
    """Counts and times every SQL statement, per endpoint, through engine events."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.label: str | None = None
        self.count = 0
        self.by_statement: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
        self.parameters: dict[tuple[str, str], object] = {}  # the last parameters, for EXPLAIN
        self._started: list[float] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn, _cursor, statement, parameters, *_args) -> None:
        elapsed = time.perf_counter() - self._started.pop()
        self.count += 1
        if self.label:
            entry = self.by_statement[(self.label, statement)]
            entry[0] += 1
            entry[1] += elapsed
            self.parameters[(self.label, statement)] = parameters

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def slowest(self, label: str, top: int = 3) -> list[tuple[float, int, str]]:
        """(mean ms per execution, executions, statement) of the statements that took longest in total."""
        found = [(total, count, statement) for (name, statement), (count, total) in self.by_statement.items()
                 if name == label]
        found.sort(reverse=True)
        return [(total / count * 1000, count, statement) for total, count, statement in found[:top]]


class BenchmarkFailure(RuntimeError):
    pass


@dataclass
class SizeRun:
    """One size: its app (and database), what the fill made, and what the measurement found."""

    app: object
    dataset: Dataset
    timer: StatementTimer | None = None
    results: dict[str, Result] = field(default_factory=lambda: {name: Result() for name in ENDPOINTS})
    rng: random.Random = field(default_factory=lambda: random.Random(SEED + 1))

    def url(self, endpoint: str) -> str:
        base = f"/processes/{self.dataset.slug}"
        if endpoint == "list, page 1":
            return base
        if endpoint == "list, middle page":
            return f"{base}?page={self.dataset.middle_page}"
        if endpoint == "proposal page":
            return f"{base}/proposals/{self.rng.choice(self.dataset.viewable_ids)}"
        return f"{base}?q={SEARCH_WORD}"


def measure(runs: list[SizeRun], requests: int, warmup: int) -> None:
    """Time the endpoints round-robin over endpoints and sizes (so that noise from other work on the machine
    hits all of them alike), outside any app context: each request gets its own app context and database
    session, as in production."""
    from plaza.extensions import db

    clients = []
    for run in runs:
        with run.app.app_context():
            run.timer = StatementTimer(db.engine)
        clients.append(run.app.test_client())
    gc.collect()
    reported_at = time.perf_counter()
    try:
        for round_number in range(warmup + requests):
            timed = round_number >= warmup
            order = list(zip(runs, clients, strict=True))
            if round_number % 2:
                order.reverse()  # neither size always goes first
            for endpoint in ENDPOINTS:
                for run, client in order:
                    url = run.url(endpoint)
                    run.timer.label = endpoint if timed else None
                    before = run.timer.count
                    started = time.perf_counter()
                    response = client.get(url, headers={"Accept-Language": "en"})
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise BenchmarkFailure(f"GET {url} answered {response.status_code}, not 200:\n"
                                               f"{response.get_data(as_text=True)[:2000]}")
                    if round_number == 0 and endpoint == "search":
                        expected = rf"\b{run.dataset.search_matches} proposals?\b"
                        if not re.search(expected, response.get_data(as_text=True)):
                            raise BenchmarkFailure(
                                f"GET {url} does not say {run.dataset.search_matches} proposals: search does "
                                "not find what the fill put in the index")
                    if timed:
                        run.results[endpoint].times.append(elapsed)
                        run.results[endpoint].queries.append(run.timer.count - before)
            if time.perf_counter() - reported_at > 30:
                reported_at = time.perf_counter()
                progress(f"  round {round_number + 1 - warmup}/{requests}" if timed else "  warming up")
    finally:
        for run in runs:
            run.timer.label = None
            run.timer.close()


# --- running -------------------------------------------------------------------------------------------


def build_and_fill(size: int, args, database_url: str, folder: Path, redis_url: str) -> SizeRun:
    from plaza.app import create_app
    from plaza.extensions import db

    progress(f"size {size:,}: building the app on {args.backend}")
    if args.backend == "sqlite":
        database = folder / f"plaza-{size}.sqlite"
        database.unlink(missing_ok=True)
        database_url = f"sqlite:///{database}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RATELIMIT_ENABLED=False, PLAZA_BASE_URL="http://plaza.bench")
    with app.app_context():
        if args.backend == "postgresql":
            drop_everything(db.engine)
        db.create_all()
        progress(f"size {size:,}: filling")
        dataset = fill(size, args.users)
        db.session.remove()
    total_rows = sum(dataset.rows.values())
    breakdown = ", ".join(f"{name} {dataset.rows[name]:,} rows {seconds:.1f} s"
                          for name, seconds in sorted(dataset.insert_seconds.items(), key=lambda kv: -kv[1]))
    progress(f"size {size:,}: filled {total_rows:,} rows in {dataset.fill_seconds:.1f} s "
             f"({total_rows / dataset.fill_seconds:,.0f} rows/s; inserts: {breakdown})")
    progress(f"size {size:,}: {dataset.published:,} published, middle page {dataset.middle_page}, "
             f"'{SEARCH_WORD}' matches {dataset.search_matches:,}")
    return SizeRun(app=app, dataset=dataset)


def close(run: SizeRun) -> None:
    from plaza.extensions import db

    with run.app.app_context():
        db.session.remove()
        db.engine.dispose()


def measure_and_say(runs: list[SizeRun], args) -> None:
    sizes = " and ".join(f"{run.dataset.size:,}" for run in runs)
    progress(f"measuring {sizes}: {args.requests} x {len(ENDPOINTS)} requests per size after "
             f"{args.warmup} warm-up rounds")
    started = time.perf_counter()
    measure(runs, args.requests, args.warmup)
    progress(f"measured {sizes} in {time.perf_counter() - started:.1f} s")


def run_sizes(args, database_url: str, folder: Path, redis_url: str) -> tuple[SizeRun, SizeRun]:
    """SQLite: both databases side by side, measured interleaved. PostgreSQL: one database, so one size
    after the other (the second fill drops the first)."""
    if args.backend == "sqlite":
        small = build_and_fill(args.small, args, database_url, folder, redis_url)
        large = build_and_fill(args.large, args, database_url, folder, redis_url)
        measure_and_say([small, large], args)
        close(small)
        close(large)
        return small, large
    runs = []
    for size in (args.small, args.large):
        run = build_and_fill(size, args, database_url, folder, redis_url)
        measure_and_say([run], args)
        close(run)
        runs.append(run)
    return runs[0], runs[1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(small: SizeRun, large: SizeRun, args) -> None:
    a, b = small.dataset.size, large.dataset.size
    print()
    print(f"Plaza proposals benchmark: {args.backend}, {a:,} vs {b:,} proposals "
          f"({COMMENTS_PER_PROPOSAL} comments each), {args.requests} requests per endpoint and size")
    print(f"fill: {a:,} in {small.dataset.fill_seconds:.1f} s, {b:,} in {large.dataset.fill_seconds:.1f} s")
    print()
    header = f"{'endpoint':<20}{'size':>8}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}{'queries':>9}"
    print(header)
    print("-" * len(header))
    for name in ENDPOINTS:
        for run in (small, large):
            result = run.results[name]
            print(f"{name:<20}{run.dataset.size:>8,}{ms(result.p50):>10}{ms(result.p95):>10}"
                  f"{ms(result.mean):>10}{statistics.median(result.queries):>9.0f}")
    print()
    header = (f"{'endpoint':<20}{f'p95 {a:,} (ms)':>16}{f'p95 {b:,} (ms)':>17}{'ratio':>9}"
              f"   target <= {TARGET_RATIO:.1f}x")
    print(header)
    print("-" * len(header))
    over = []
    for name in ENDPOINTS:
        p95_small, p95_large = small.results[name].p95, large.results[name].p95
        ratio = p95_large / p95_small
        verdict = "OK" if ratio <= TARGET_RATIO else "OVER"
        if verdict == "OVER":
            over.append(name)
        print(f"{name:<20}{ms(p95_small):>16}{ms(p95_large):>17}{ratio:>8.2f}x   {verdict}")
    print()
    if not over:
        print(f"All endpoints within {TARGET_RATIO:.1f}x: flat.")
        return
    print(f"OVER TARGET: {', '.join(over)}. Statements that took longest at {b:,} proposals "
          "(mean ms per execution x executions):")
    for name in over:
        print(f"  {name}:")
        slowest = large.timer.slowest(name)
        for mean_ms, count, statement in slowest:
            small_stats = small.timer.by_statement.get((name, statement))
            was = f" (at {a:,}: {small_stats[1] / small_stats[0] * 1000:.2f} ms)" if small_stats else ""
            print(f"    {mean_ms:8.2f} ms x {count:<5}{was}\n        {short_sql(statement)}")
        if slowest:
            statement = slowest[0][2]
            print(f"    plan of the slowest at {b:,}:")
            for line in query_plan(large, statement, large.timer.parameters[(name, statement)]):
                print(f"        {line}")


def short_sql(statement: str, limit: int = 600) -> str:
    """One line, with long column lists elided: what is left shows FROM, WHERE, ORDER BY and LIMIT."""
    text = " ".join(statement.split())
    text = re.sub(r"SELECT (.*?) FROM", lambda m: f"SELECT {m[1] if len(m[1]) < 50 else '…'} FROM", text)
    return text if len(text) <= limit else text[:limit] + " …"


def query_plan(run: SizeRun, statement: str, parameters) -> list[str]:
    """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL) of a statement the benchmark saw."""
    from plaza.extensions import db

    try:
        with run.app.app_context(), db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                depth: dict[int, int] = {0: -1}
                lines = []
                for node, parent, _unused, detail in rows:
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
                return lines
            return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
    except Exception as error:  # a report, not a test: say why and carry on
        return [f"(no plan: {error})"]


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the proposal list, a proposal page and a search with a small and a large "
                    "consultation, and report the p95 ratio large/small (target <= 2.0x). Exits 0 even when "
                    "over target; 1 if a page fails.",
        epilog="On PostgreSQL (PLAZA_BENCH_DATABASE_URL, default " + DEFAULT_PG_URL + ") every table of that "
               "database is DROPPED first: never point it at a database you care about, nor at one a test "
               "suite is using.")
    parser.add_argument("--quick", action="store_true",
                        help="CI smoke run: 200 vs 2,000 proposals, 30 requests, 500 users")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                        help="sqlite (a file in a temporary folder; default) or postgresql")
    parser.add_argument("--small", type=int, help="proposals in the baseline (default 1,000; quick 200)")
    parser.add_argument("--large", type=int, help="proposals in the large run (default 50,000; quick 2,000)")
    parser.add_argument("--requests", type=int, help="timed requests per endpoint and size (default 200; quick 30)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (default 10; quick 3)")
    parser.add_argument("--users", type=int, help="residents (default 2,000; quick 500)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files (their folder is printed)")
    args = parser.parse_args(argv)
    defaults = ({"small": 200, "large": 2_000, "requests": 30, "warmup": 3, "users": 500} if args.quick else
                {"small": 1_000, "large": 50_000, "requests": 200, "warmup": 10, "users": 2_000})
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not 0 < args.small < args.large:
        parser.error("need 0 < --small < --large")
    if args.requests < 1 or args.warmup < 0 or args.users < 1:
        parser.error("--requests and --users must be at least 1, --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    folder = Path(tempfile.mkdtemp(prefix="plaza-bench-"))
    os.environ["PLAZA_INSTANCE_PATH"] = str(folder / "instance")  # keep uploads etc. out of the repository
    database_url = os.environ.get("PLAZA_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    from plaza import embedded_redis

    redis_folder = folder / "redis"
    started = time.perf_counter()
    try:
        redis_url = embedded_redis.ensure_running(redis_folder)
        if args.backend == "postgresql":
            progress(f"PostgreSQL at {sa.make_url(database_url).render_as_string(hide_password=True)}")
        small, large = run_sizes(args, database_url, folder, redis_url)
        report(small, large, args)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    except BenchmarkFailure as error:
        print(f"\nBENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        embedded_redis.stop(redis_folder)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
