"""Piccolo app config: the search side's own tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from search import tables

APP_CONFIG = AppConfig(
    app_name="search",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[tables.SearchSynonym],
    migration_dependencies=["directory.piccolo_app"],
    commands=[],
)
