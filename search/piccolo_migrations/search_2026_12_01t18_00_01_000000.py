from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T18:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "seeded synonyms: abbreviations, faith words, English names, the plan's terms"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="search", description=DESCRIPTION
    )

    async def seed():
        from search.synonyms import seed_default_synonyms

        await seed_default_synonyms()

    manager.add_raw(seed)

    return manager
