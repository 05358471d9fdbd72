"""The matching settings come from the configuration in one place, for the job and the SOS button."""

from datetime import timedelta

from sqlalchemy import select

from config import Config
from db import matching
from db.models import Sos, SosOffer
from tests.builders import T0, add_user, city, send_sos


def _config(**settings) -> Config:
    return Config(database_url="sqlite://", secret_key="test", upload_dir="uploads", instance_dir="instance",
                  **settings)


def test_match_due_as_configured_uses_the_configured_rings_and_escalation(session):
    hospitals, _ = city(session, 3)  # at 1, 2 and 3 km
    sos = send_sos(session, add_user(session))
    config = _config(sos_rings_km=(1.5, 2.5), sos_escalate_seconds=90)

    first = matching.match_due_as_configured(session, now=T0, config=config)
    assert (first.sos_matched, first.offered) == (1, 1)  # the 1.5-km ring: the nearest only
    assert session.execute(select(Sos.next_escalation_at).where(Sos.id == sos.id)).scalar_one() \
        .replace(tzinfo=None) == (T0 + timedelta(seconds=90)).replace(tzinfo=None)

    assert matching.match_due_as_configured(session, now=T0 + timedelta(seconds=89), config=config).offered == 0
    later = matching.match_due_as_configured(session, now=T0 + timedelta(seconds=90), config=config)
    assert later.offered == 1  # the 2.5-km ring
    offered = set(session.execute(select(SosOffer.hospital_id).where(SosOffer.sos_id == sos.id)).scalars())
    assert offered == {hospitals[0].id, hospitals[1].id}


def test_match_due_as_configured_can_match_one_sos(session):
    city(session, 1)
    first, second = send_sos(session, add_user(session)), send_sos(session, add_user(session))
    summary = matching.match_due_as_configured(session, now=T0, config=_config(), sos_id=second.id)
    assert summary.sos_matched == 1
    assert set(session.execute(select(SosOffer.sos_id)).scalars()) == {second.id}
    assert first.id != second.id
