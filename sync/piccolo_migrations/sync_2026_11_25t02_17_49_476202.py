from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T02:17:49:476202"
VERSION = "1.38.0"
DESCRIPTION = "outbox cursor lease"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sync", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="OutboxCursor",
        tablename="outbox_cursor",
        column_name="lease_until",
        db_column_name="lease_until",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OutboxCursor",
        tablename="outbox_cursor",
        column_name="leased_by",
        db_column_name="leased_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
