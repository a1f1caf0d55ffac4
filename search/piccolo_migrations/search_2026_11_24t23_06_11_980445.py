from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T23:06:11:980445"
VERSION = "1.38.0"
DESCRIPTION = "default synonyms"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="search", description=DESCRIPTION
    )

    # The seeding moved to search_2026_12_01t18_00_00_000000, after the one_way column it
    # writes exists; installations that ran this already keep their rows.

    return manager
