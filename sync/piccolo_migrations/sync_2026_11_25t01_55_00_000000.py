from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T01:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one dav_entry per collection and uid"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sync", description=DESCRIPTION
    )

    async def unique_uid_per_collection():
        from sync.dav_tables import DavEntry

        # Keep the newest record of any pair written twice, then let the database refuse more.
        await DavEntry.raw(
            "DELETE FROM dav_entry WHERE id NOT IN "
            "(SELECT max(id) FROM dav_entry GROUP BY collection, uid)"
        )
        await DavEntry.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS dav_entry_collection_uid "
            "ON dav_entry (collection, uid)"
        )

    manager.add_raw(unique_uid_per_collection)

    return manager
