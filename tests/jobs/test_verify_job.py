"""Several verifier processes at once: every pending report verified exactly once per round."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from db import reports
from db.models import MedicalReport, ReportCheck
from tests.builders import KEY, T0, add_user, pdf_bytes, stream


def test_three_verifiers_verify_each_report_exactly_once_per_round(pg_db, tmp_path):
    store = tmp_path / "uploads"
    with pg_db.factory() as session:
        citizen = add_user(session)
        for index in range(45):
            reports.create_report(session, actor=citizen, source=stream(pdf_bytes(f"report {index}")),
                                  original_name=f"r{index}.pdf", title="", upload_dir=store,
                                  max_bytes=10**7, hmac_key=KEY, now=T0)
        session.commit()

    def run_round(now):
        errors = []

        def worker(name):
            try:
                for _ in range(6):
                    with pg_db.factory() as session:
                        reports.verify_due(session, now=now, upload_dir=store, hmac_key=KEY, worker=name,
                                           recheck_after=timedelta(hours=24), limit=4)
                        session.commit()
            except Exception as error:  # noqa: BLE001
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []

    run_round(T0)
    run_round(T0 + timedelta(hours=25))
    with pg_db.factory() as session:
        per_round = dict(session.execute(select(ReportCheck.round, func.count()).group_by(ReportCheck.round)).all())
        workers = set(session.execute(select(ReportCheck.worker)).scalars())
        statuses = set(session.execute(select(MedicalReport.status)).scalars())
    assert per_round == {1: 45, 2: 45}  # every report, each round exactly once
    assert len(workers) == 3  # the work really was shared
    assert statuses == {"verified"}
