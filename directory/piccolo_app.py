"""Piccolo app config: the directory's tables and their migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from directory import guidance_tables, meeting_tables, tables

APP_CONFIG = AppConfig(
    app_name="directory",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        tables.Account,
        tables.ApiToken,
        tables.TaxonomyTerm,
        tables.Organization,
        tables.Contact,
        tables.Service,
        tables.Network,
        tables.NetworkMember,
        tables.NetworkCoordinator,
        tables.AuditEntry,
        tables.ChangeEvent,
        tables.TokenMiss,
        guidance_tables.GuidanceSection,
        meeting_tables.Meeting,
        meeting_tables.MeetingOccurrence,
        meeting_tables.MeetingAttendance,
        meeting_tables.MeetingNote,
        meeting_tables.MeetingFollowUp,
        meeting_tables.FeedToken,
    ],
    migration_dependencies=[],
    commands=[],
)
