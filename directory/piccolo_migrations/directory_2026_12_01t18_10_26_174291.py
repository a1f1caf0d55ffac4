from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-01T18:10:26:174291"
VERSION = "1.38.0"
DESCRIPTION = "taxonomy labels as long as the API takes"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="directory", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="TaxonomyTerm",
        tablename="taxonomy_term",
        column_name="label_sv",
        db_column_name="label_sv",
        params={"length": 300},
        old_params={"length": 200},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="TaxonomyTerm",
        tablename="taxonomy_term",
        column_name="label_en",
        db_column_name="label_en",
        params={"length": 300},
        old_params={"length": 200},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
