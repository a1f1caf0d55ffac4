"""Tables of the plan cycle. Code lists (levels, linked networks and meetings) are JSON text, as
in the records' tables, so the same schema works on SQLite and PostgreSQL."""

from piccolo.columns import UUID, Date, Float, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Observation(Table, tablename="plan_observation"):
    """One report to the situation picture: what kind of signal, where and how often, never who.

    ``district`` is a vocabulary code (never an address); ``note`` is short and checked for
    identity numbers, phone numbers and email addresses before it is stored.
    """

    id = UUID(primary_key=True)
    period = Varchar(length=7, index=True)  # "2026-H2"
    area = Varchar(length=60)
    level = Varchar(length=60)
    signal = Varchar(length=60)
    frequency = Varchar(length=60)
    district = Varchar(length=60)
    organization_id = UUID(index=True)
    note = Varchar(length=500, default="")
    reported_at = Timestamptz(default=TimestamptzNow())


class ActionPlan(Table, tablename="plan_version"):
    """One version of the action plan; adopting a revision supersedes, never overwrites."""

    id = UUID(primary_key=True)
    title = Varchar(length=300)
    version = Integer(default=1)
    status = Varchar(length=20, default="draft")  # draft, adopted, superseded
    adopted_on = Date(null=True, default=None)
    supersedes_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PlanSection(Table, tablename="plan_section"):
    """A numbered section of a plan version with its goals (a JSON list of sentences)."""

    id = UUID(primary_key=True)
    plan_id = UUID(index=True)
    number = Varchar(length=20)
    title = Varchar(length=300)
    body = Text(default="")
    goals = Text(default="[]")
    position = Integer(default=0)


class Measure(Table, tablename="plan_measure"):
    """An åtgärd: what is done, by whom, at which level, by when, and how it is measured."""

    id = UUID(primary_key=True)
    plan_id = UUID(index=True)
    section_id = UUID(null=True, default=None)
    title = Varchar(length=300)
    description = Text(default="")
    owner_organization_id = UUID(null=True, default=None, index=True)
    responsible_contact_id = UUID(null=True, default=None)
    level = Varchar(length=60)
    due_date = Date(null=True, default=None)
    status = Varchar(length=20, default="planned")  # planned, ongoing, done, dropped
    indicator = Varchar(length=300, default="")
    network_ids = Text(default="[]")
    meeting_ids = Text(default="[]")
    follow_up_ids = Text(default="[]")
    evidence_url = Varchar(length=500, default="")
    evidence_note = Varchar(length=1000, default="")
    last_modified = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class IndicatorValue(Table, tablename="plan_indicator_value"):
    """A measured value of a measure's indicator: the measure's results over time."""

    id = UUID(primary_key=True)
    measure_id = UUID(index=True)
    measured_on = Date()
    value = Float()
    note = Varchar(length=500, default="")


class Training(Table, tablename="plan_training"):
    """An utbildning; its dates are meetings of a network, so they come with a calendar feed."""

    id = UUID(primary_key=True)
    title = Varchar(length=300)
    provider_organization_id = UUID(null=True, default=None)
    target_group = Varchar(length=300, default="")
    level = Varchar(length=60)
    held_on = Date(index=True)
    meeting_ids = Text(default="[]")
    measure_id = UUID(null=True, default=None)
    last_modified = Timestamptz(default=TimestamptzNow())


class TrainingParticipation(Table, tablename="plan_training_participation"):
    """How many of one organisation took part; no list of named participants is kept."""

    id = UUID(primary_key=True)
    training_id = UUID(index=True)
    organization_id = UUID(index=True)
    participants = Integer()


class ServiceEvidence(Table, tablename="plan_service_evidence"):
    """The evidence base of a directory service's method, and results recorded for it (§10)."""

    id = UUID(primary_key=True)
    service_id = UUID(unique=True)
    url = Varchar(length=500, default="")
    note = Varchar(length=1000, default="")
    results = Text(default="")
