"""Piccolo app config: the sync side's own tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from sync import (
    calendar_import_tables,
    dav_tables,
    feed_tables,
    invitation_tables,
    notice_tables,
    tables,
)

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        tables.OutboxCursor,
        dav_tables.DavEntry,
        dav_tables.DavCollectionState,
        feed_tables.FeedVersion,
        calendar_import_tables.ExternalCalendar,
        invitation_tables.SentInvitation,
        invitation_tables.InvitationRecipient,
        invitation_tables.InvitationDelivery,
        invitation_tables.InvitationPreference,
        notice_tables.NextcloudNotice,
    ],
    migration_dependencies=["directory.piccolo_app"],
    commands=[],
)
