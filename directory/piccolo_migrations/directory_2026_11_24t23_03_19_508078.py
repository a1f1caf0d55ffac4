from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar

ID = "2026-11-24T23:03:19:508078"
VERSION = "1.38.0"
DESCRIPTION = "drop low-selectivity indexes that mislead the planner"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="directory", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Organization",
        tablename="organization",
        column_name="visibility",
        db_column_name="visibility",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Organization",
        tablename="organization",
        column_name="retired_at",
        db_column_name="retired_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Contact",
        tablename="contact",
        column_name="visibility",
        db_column_name="visibility",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Contact",
        tablename="contact",
        column_name="retired_at",
        db_column_name="retired_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Service",
        tablename="service",
        column_name="visibility",
        db_column_name="visibility",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Service",
        tablename="service",
        column_name="retired_at",
        db_column_name="retired_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Network",
        tablename="network",
        column_name="visibility",
        db_column_name="visibility",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Network",
        tablename="network",
        column_name="retired_at",
        db_column_name="retired_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
