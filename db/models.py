"""The complete data model.

The database itself enforces the invariants the product's safety rests on (counts never
negative, available never above total, one open SOS per citizen, one winner per SOS, one feedback
per SOS, no hospital offered the same SOS twice), so a bug in a page or a job cannot break them.
Domain rules that need more than one row live in the capability modules beside this one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from db.vocabulary import ROLES

# Stable constraint names, so Alembic migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands out aware UTC: SQLite keeps no zone, and comparisons across
    backends must not depend on the server's clock setting."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


# ---- vocabularies (the CHECK constraints below and the domain modules share these) ----------

USER_STATUSES = ("pending", "active", "rejected", "disabled")
HOSPITAL_STATUSES = ("active", "proposed", "rejected")
EMS_STATUSES = ("normal", "advisory", "closed")
BLOOD_GROUPS = ("O-", "O+", "A-", "A+", "B-", "B+", "AB-", "AB+")
BLOOD_COMPONENTS = ("whole_blood", "red_cells", "platelets", "plasma")
UNIT_LEVELS = ("BLS", "ALS", "CCT")
UNIT_STATUSES = (
    "available",
    "dispatched",
    "en_route",
    "on_scene",
    "transporting",
    "at_hospital",
    "out_of_service",
)
SOS_STATUSES = (
    "pending",
    "accepted",
    "dispatched",
    "en_route",
    "on_scene",
    "transporting",
    "at_hospital",
    "resolved",
    "cancelled",
    "unanswered",
)
# Closed SOS no longer block a new one. `unanswered` stays open: a person still needs help.
SOS_CLOSED_STATUSES = ("resolved", "cancelled")
SOS_PRIORITIES = ("critical", "emergent", "lower_acuity", "non_acute")
OFFER_STATUSES = ("offered", "declined", "accepted", "withdrawn", "expired")
REPORT_STATUSES = ("pending", "verified", "mismatch")
CAP_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
CAP_MSG_TYPES = ("Alert", "Update", "Cancel")
CAP_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CAP_CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


# ---- people and places ----------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(_in("status", USER_STATUSES), name="status"),
        # An approved hospital admin is always bound to exactly one hospital.
        CheckConstraint(
            "NOT (role = 'hospital_admin' AND status = 'active' AND hospital_id IS NULL)",
            name="hospital_admin_has_hospital",
        ),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    # A citizen's registered address (optional): only the hospital that accepted their SOS sees it.
    address: Mapped[str | None] = mapped_column(String(300))
    # The language the person chose (a catalog code such as "hi"); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"), index=True)
    # Rotated at logout and on disable: every session cookie issued before becomes useless.
    session_token: Mapped[str] = mapped_column(String(64))
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_login_at: Mapped[datetime | None]

    hospital: Mapped[Hospital | None] = relationship(foreign_keys=[hospital_id])


class Hospital(Base):
    __tablename__ = "hospitals"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        CheckConstraint(_in("status", HOSPITAL_STATUSES), name="status"),
        CheckConstraint(_in("ems_status", EMS_STATUSES), name="ems_status"),
        # The nearby search pre-filters on a bounding box over these two columns.
        Index("ix_hospitals_lat_lon", "latitude", "longitude"),
        # PostgreSQL: nearest-first walks of this index (db.matching; migration 0002).
        Index("ix_hospitals_earth_point", func.earth_point(literal_column("latitude"), literal_column("longitude")),
              postgresql_using="gist").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default="active")
    ems_status: Mapped[str] = mapped_column(String(20), default="normal")
    ems_reason: Mapped[str] = mapped_column(String(300), default="")
    ems_updated_at: Mapped[datetime | None]
    # Identifies a row of a bulk import, so importing the same file twice adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class Landmark(Base):
    """A place people name (a metro station, a market, a junction): an SOS's place is told in
    words from the nearest one (db/landmarks.py). Imported from a CSV or seeded by the demo."""

    __tablename__ = "landmarks"
    __table_args__ = (Index("ix_landmarks_lat_lon", "latitude", "longitude"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    # Identifies a row of an import, so importing the same file twice adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


# ---- capacity -------------------------------------------------------------------------------


class BedType(Base):
    """Data, not code: a new bed type is a row (EDXL-HAVE names its own types)."""

    __tablename__ = "bed_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    have_type: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class HospitalBeds(Base):
    __tablename__ = "hospital_beds"
    __table_args__ = (
        UniqueConstraint("hospital_id", "bed_type_id"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("available >= 0", name="available_not_negative"),
        CheckConstraint("available <= total", name="available_within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    bed_type_id: Mapped[int] = mapped_column(ForeignKey("bed_types.id"))
    total: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer)
    # Optimistic concurrency: a save based on an older version is refused, not silently lost.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    bed_type: Mapped[BedType] = relationship()


class BedHistory(Base):
    __tablename__ = "bed_history"
    __table_args__ = (Index("ix_bed_history_hospital_changed", "hospital_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    bed_type_id: Mapped[int] = mapped_column(ForeignKey("bed_types.id"))
    total: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EmsStatusHistory(Base):
    __tablename__ = "ems_status_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    ems_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(300), default="")
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BloodStock(Base):
    __tablename__ = "blood_stock"
    __table_args__ = (
        UniqueConstraint("hospital_id", "blood_group", "component"),
        CheckConstraint(_in("blood_group", BLOOD_GROUPS), name="blood_group"),
        CheckConstraint(_in("component", BLOOD_COMPONENTS), name="component"),
        CheckConstraint("units >= 0", name="units_not_negative"),
        CheckConstraint("low_threshold >= 0", name="low_threshold_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    blood_group: Mapped[str] = mapped_column(String(3))
    component: Mapped[str] = mapped_column(String(20), default="whole_blood")
    units: Mapped[int] = mapped_column(Integer, default=0)
    low_threshold: Mapped[int] = mapped_column(Integer, default=5)
    earliest_expiry: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BloodHistory(Base):
    __tablename__ = "blood_history"
    __table_args__ = (
        CheckConstraint(_in("reason", ("received", "issued", "set", "expired")), name="reason"),
        Index("ix_blood_history_hospital_changed", "hospital_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    blood_group: Mapped[str] = mapped_column(String(3))
    component: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int] = mapped_column(Integer)
    units_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# ---- ambulances and SOS ---------------------------------------------------------------------


class Ambulance(Base):
    __tablename__ = "ambulances"
    __table_args__ = (
        UniqueConstraint("hospital_id", "call_sign"),
        CheckConstraint(_in("level", UNIT_LEVELS), name="level"),
        CheckConstraint(_in("status", UNIT_STATUSES), name="status"),
        # A unit on a job names its SOS; an available or out-of-service unit names none.
        CheckConstraint(
            "(status IN ('available', 'out_of_service')) = (current_sos_id IS NULL)",
            name="busy_iff_assigned",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    call_sign: Mapped[str] = mapped_column(String(32))
    registration_plate: Mapped[str] = mapped_column(String(32), default="")
    level: Mapped[str] = mapped_column(String(8), default="BLS")
    crew_contact: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="available")
    status_since: Mapped[datetime]
    # Unique: a unit serves one SOS at a time, and one SOS gets one unit.
    current_sos_id: Mapped[int | None] = mapped_column(ForeignKey("sos.id"), unique=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # The latest position's accuracy (metres); with latitude/longitude/position_at above it is the
    # unit's latest position, read without touching its track (db/positions.py, migration 0004).
    position_accuracy_m: Mapped[float | None] = mapped_column(Float)


class AmbulanceEvent(Base):
    __tablename__ = "ambulance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ambulance_id: Mapped[int] = mapped_column(ForeignKey("ambulances.id"), index=True)
    sos_id: Mapped[int | None] = mapped_column(ForeignKey("sos.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Sos(Base):
    __tablename__ = "sos"
    __table_args__ = (
        CheckConstraint(_in("status", SOS_STATUSES), name="status"),
        CheckConstraint(_in("priority", SOS_PRIORITIES), name="priority"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        CheckConstraint("ring >= 0", name="ring"),
        # Once accepted, an SOS always names the one hospital that won it.
        CheckConstraint(
            "status IN ('pending', 'cancelled', 'unanswered') OR hospital_id IS NOT NULL",
            name="accepted_has_hospital",
        ),
        # One open SOS per citizen: a second press must find the first, never add another.
        Index(
            "uq_sos_one_open_per_citizen",
            "citizen_id",
            unique=True,
            sqlite_where=text("status NOT IN ('resolved', 'cancelled')"),
            postgresql_where=text("status NOT IN ('resolved', 'cancelled')"),
        ),
        Index("ix_sos_status_created", "status", "created_at"),
        # An SOS sent again by the phone (kept while offline, retried) carries the same key: it
        # must find the SOS already made, never make a second (migration 0003).
        Index("uq_sos_citizen_client_key", "citizen_id", "client_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The idempotency key the citizen's phone chose for this SOS (None: sent without one).
    client_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    emergency_type: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(20), default="emergent")
    note: Mapped[str] = mapped_column(String(500), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    location_source: Mapped[str] = mapped_column(String(20), default="gps")
    location_text: Mapped[str] = mapped_column(String(200), default="")
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    # A number to call back, typed at SOS time by a citizen who registered none.
    callback_phone: Mapped[str | None] = mapped_column(String(32))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"), index=True)
    # use_alter: ambulances and sos refer to each other, so this key is added after both exist.
    ambulance_id: Mapped[int | None] = mapped_column(
        ForeignKey("ambulances.id", use_alter=True)
    )
    # Matching: the ring offered so far and when the next ring is due.
    ring: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    citizen: Mapped[User] = relationship(foreign_keys=[citizen_id])
    hospital: Mapped[Hospital | None] = relationship(foreign_keys=[hospital_id])


class SosOffer(Base):
    __tablename__ = "sos_offers"
    __table_args__ = (
        UniqueConstraint("sos_id", "hospital_id"),
        CheckConstraint(_in("status", OFFER_STATUSES), name="status"),
        # The database's own guarantee of one winner per SOS.
        Index(
            "uq_sos_offers_one_accepted",
            "sos_id",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
        Index("ix_sos_offers_hospital_status", "hospital_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sos_id: Mapped[int] = mapped_column(ForeignKey("sos.id"))
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    ring: Mapped[int] = mapped_column(Integer)
    distance_km: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="offered")
    offered_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    # Set when a health officer offered it by hand (db/officer_desk.py): the queue says so.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SosEvent(Base):
    """Every transition and notable step of an SOS: the timeline and all response-time figures
    are computed from these rows, never from overwritten timestamps."""

    __tablename__ = "sos_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    sos_id: Mapped[int] = mapped_column(ForeignKey("sos.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"))
    ambulance_id: Mapped[int | None] = mapped_column(ForeignKey("ambulances.id"))
    detail: Mapped[str] = mapped_column(String(300), default="")


# ---- reports --------------------------------------------------------------------------------


class MedicalReport(Base):
    __tablename__ = "medical_reports"
    __table_args__ = (
        CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
        CheckConstraint("size_bytes >= 0", name="size_bytes"),
        Index("ix_medical_reports_status_next_check", "status", "next_check_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    hmac_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    uploaded_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    check_round: Mapped[int] = mapped_column(Integer, default=0)
    mismatch_reason: Mapped[str] = mapped_column(String(300), default="")


class ReportCheck(Base):
    """One row per verification: the unique round makes "verified exactly once per round" a
    fact the database keeps, whatever the number of verifier processes."""

    __tablename__ = "report_checks"
    __table_args__ = (
        UniqueConstraint("report_id", "round"),
        CheckConstraint(_in("result", ("verified", "mismatch")), name="result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("medical_reports.id"))
    round: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(20))
    checked_at: Mapped[datetime]
    worker: Mapped[str] = mapped_column(String(120), default="")


# ---- alerts, guidance, feedback -------------------------------------------------------------


class Alert(Base):
    """One CAP 1.2 message (alert with a single info block)."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_in("status", CAP_STATUSES), name="status"),
        CheckConstraint(_in("msg_type", CAP_MSG_TYPES), name="msg_type"),
        CheckConstraint(_in("urgency", CAP_URGENCIES), name="urgency"),
        CheckConstraint(_in("severity", CAP_SEVERITIES), name="severity"),
        CheckConstraint(_in("certainty", CAP_CERTAINTIES), name="certainty"),
        CheckConstraint("expires > effective", name="expires_after_effective"),
        CheckConstraint(
            "circle_radius_km IS NULL OR (circle_radius_km > 0 AND circle_radius_km <= 2000)",
            name="circle_radius",
        ),
        Index("ix_alerts_expires", "expires"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(120), unique=True)
    sender: Mapped[str] = mapped_column(String(254))
    sent: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="Actual")
    msg_type: Mapped[str] = mapped_column(String(12), default="Alert")
    scope: Mapped[str] = mapped_column(String(12), default="Public")
    references: Mapped[str] = mapped_column(Text, default="")
    references_alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    category: Mapped[str] = mapped_column(String(20), default="Health")
    event: Mapped[str] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    effective: Mapped[datetime]
    expires: Mapped[datetime]
    headline: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    area_desc: Mapped[str] = mapped_column(String(200))
    circle_lat: Mapped[float | None] = mapped_column(Float)
    circle_lon: Mapped[float | None] = mapped_column(Float)
    circle_radius_km: Mapped[float | None] = mapped_column(Float)
    # Set on an alert once a later Update or Cancel replaces it.
    superseded_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    # The same message in other languages: one CAP <info> block each (CAP's `language`).
    translations: Mapped[list[AlertTranslation]] = relationship(
        back_populates="alert", lazy="selectin", cascade="all, delete-orphan", order_by="AlertTranslation.language")


class AlertTranslation(Base):
    """An alert's words in one more language, as the officer wrote them."""

    __tablename__ = "alert_translations"
    __table_args__ = (UniqueConstraint("alert_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    language: Mapped[str] = mapped_column(String(8))
    event: Mapped[str] = mapped_column(String(200), default="")
    headline: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship(back_populates="translations")


class Guidance(Base):
    """First-aid steps for one emergency type in one language (db/guidance.py)."""

    __tablename__ = "guidance"
    __table_args__ = (UniqueConstraint("emergency_type", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    emergency_type: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="en")
    title: Mapped[str] = mapped_column(String(120))
    body_markdown: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: one feedback per SOS.
    sos_id: Mapped[int] = mapped_column(ForeignKey("sos.id"), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


# ---- operations: audit, jobs, kiosks --------------------------------------------------------


class AuditEntry(Base):
    """Append-only and hash-chained: entry_hash covers this row and the previous entry_hash, so
    editing or removing any row breaks every hash after it."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_in("outcome", ("ok", "refused", "error")), name="outcome"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(10), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row whose update serialises appends to the chain on every backend."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class JobHeartbeat(Base):
    __tablename__ = "job_heartbeats"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime]
    last_beat_at: Mapped[datetime]


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(_in("outcome", ("ok", "error")), name="outcome"),
        Index("ix_job_runs_job_finished", "job_name", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(64))
    worker: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, default="")


class KioskToken(Base):
    """A signed link for a wall display; only the token's hash is stored."""

    __tablename__ = "kiosk_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]



# ---- ambulance crews and positions (migration 0004) -----------------------------------------


class CrewLink(Base):
    """A link that signs a phone in as the crew of one ambulance; only the token's hash is stored.
    Every link of a unit acts as that unit's one crew account (`crew_user_id`, role `crew`), so
    every status change and position names the crew as actor."""

    __tablename__ = "crew_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ambulance_id: Mapped[int] = mapped_column(ForeignKey("ambulances.id"), index=True)
    crew_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]


class UnitPosition(Base):
    """An ambulance's track: one row per accepted position. The latest is also kept on the unit
    row, so reading it never scans this table; old rows are pruned (db/positions.prune)."""

    __tablename__ = "unit_positions"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        Index("ix_unit_positions_ambulance_at", "ambulance_id", "at"),
        Index("ix_unit_positions_sos_at", "sos_id", "at"),
        Index("ix_unit_positions_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ambulance_id: Mapped[int] = mapped_column(ForeignKey("ambulances.id"))
    sos_id: Mapped[int | None] = mapped_column(ForeignKey("sos.id"))
    at: Mapped[datetime]
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    speed_mps: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime]
