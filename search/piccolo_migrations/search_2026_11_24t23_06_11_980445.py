from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T23:06:11:980445"
VERSION = "1.38.0"
DESCRIPTION = "default synonyms"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="search", description=DESCRIPTION
    )

    async def seed():
        from search.synonyms import seed_default_synonyms

        await seed_default_synonyms()

    manager.add_raw(seed)

    return manager
