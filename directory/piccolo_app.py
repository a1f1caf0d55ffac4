"""Piccolo app config: the directory's tables and their migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from directory.accounts import tables as account_tables
from directory.core import tables as core_tables
from directory.guidance import tables as guidance_tables
from directory.meetings import tables as meeting_tables
from directory.plan import tables as plan_tables
from directory.records import tables as record_tables

APP_CONFIG = AppConfig(
    app_name="directory",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        account_tables.Account,
        account_tables.ApiToken,
        core_tables.TaxonomyTerm,
        record_tables.Organization,
        record_tables.Contact,
        record_tables.Service,
        record_tables.Network,
        record_tables.NetworkMember,
        record_tables.NetworkCoordinator,
        core_tables.AuditEntry,
        core_tables.ChangeEvent,
        account_tables.TokenMiss,
        account_tables.SignInFailure,
        guidance_tables.GuidanceSection,
        meeting_tables.Meeting,
        meeting_tables.MeetingOccurrence,
        meeting_tables.MeetingAttendance,
        meeting_tables.MeetingContactAttendance,
        meeting_tables.MeetingNote,
        meeting_tables.MeetingFollowUp,
        meeting_tables.FeedToken,
        plan_tables.Observation,
        plan_tables.ActionPlan,
        plan_tables.PlanSection,
        plan_tables.Measure,
        plan_tables.IndicatorValue,
        plan_tables.Training,
        plan_tables.TrainingParticipation,
        plan_tables.ServiceEvidence,
    ],
    migration_dependencies=[],
    commands=[],
)
