"""`python -m workers`: an RQ worker (with RQ's scheduler) on Plaza's queues, inside an app context.

Unless --no-cron is given it also runs RQ's cron scheduler in a child process for the periodic jobs in
workers/schedule.py. Several workers may each run one: periodic jobs are idempotent.
"""

import argparse
import logging
import multiprocessing
import os
import sys

from rq import Worker

from plaza import queues
from plaza.app import create_app
from plaza.config import ConfigurationError
from plaza.extensions import db
from workers.schedule import run_cron

log = logging.getLogger("workers")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m workers",
        description="Run a Plaza worker: it carries out e-mail, translation and import jobs.",
    )
    parser.add_argument("--queues", nargs="+", metavar="NAME", default=list(queues.QUEUES),
                        choices=list(queues.QUEUES),
                        help="queues to work on, in priority order (default: all: %(default)s)")
    parser.add_argument("--burst", action="store_true",
                        help="stop when the queues are empty instead of waiting for more jobs")
    parser.add_argument("--no-cron", action="store_true",
                        help="do not run the periodic jobs (e.g. when another worker runs them)")
    parser.add_argument("--sweep", action="store_true",
                        help="catch up once before starting: re-enqueue overdue outbox events, publish "
                             "sealed votes that are due and count ballots that were closed but not counted")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app()  # production unless PLAZA_ENV says otherwise, exactly like wsgi.py
    except ConfigurationError as error:
        print(f"python -m workers: {error}", file=sys.stderr)
        return 2
    with app.app_context():
        connection = queues.connection()
        if args.sweep:
            from plaza import outbox
            from workers.voting import count_closed_ballots, publish_waiting_votes

            outbox.sweep()
            publish_waiting_votes()
            count_closed_ballots()
            db.session.remove()
        # Each job runs in a forked work horse: it must open its own database connections.
        os.register_at_fork(after_in_child=lambda: db.engine.dispose(close=False))
        cron = None
        if not args.no_cron and not args.burst:
            cron = multiprocessing.get_context("spawn").Process(
                target=run_cron, args=(app.config["REDIS_URL"], args.log_level), daemon=True
            )
            cron.start()
        try:
            worker = Worker(args.queues, connection=connection)
            worker.work(burst=args.burst, with_scheduler=True, logging_level=args.log_level)
        finally:
            if cron is not None:
                cron.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
