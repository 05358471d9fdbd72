"""The verifier as the job process runs it, in its own process so its memory can be watched:
`python -m bench.verify_child DATABASE_URL UPLOAD_DIR` prints "idle", waits for a line on stdin,
verifies everything due, prints "done N"."""

import os
import sys
from pathlib import Path


def main() -> int:
    from db.clock import utcnow
    from db.engine import make_engine, make_session_factory, session_scope
    from db.reports import verify_due

    url, upload_dir = sys.argv[1], Path(sys.argv[2])
    key = os.environ["HEALTHFIRST_REPORT_HMAC_KEY"].encode()
    factory = make_session_factory(make_engine(url))
    with factory() as session:  # connect and compile once, so "idle" is a running verifier at rest
        session.execute(__import__("sqlalchemy").text("SELECT 1"))
    print("idle", flush=True)
    sys.stdin.readline()
    verified = 0
    while True:
        with session_scope(factory) as session:
            summary = verify_due(session, now=utcnow(), upload_dir=upload_dir, hmac_key=key, worker="bench-rss")
        if not (summary.verified or summary.mismatched):
            break
        verified += summary.verified
    print(f"done {verified}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
