"""Registering Samverkan with Nextcloud's AppAPI."""

from __future__ import annotations

import click
import msgspec

from samverkan.cli import main


@main.group("nextcloud")
def nextcloud_group() -> None:
    """Running Samverkan as a Nextcloud ExApp."""


@nextcloud_group.command("register-info")
@click.option("--secret", required=True, envvar="APP_SECRET", help="Default: APP_SECRET.")
@click.option(
    "--port",
    required=True,
    type=click.IntRange(1, 65535),
    envvar="APP_PORT",
    help="The port Samverkan listens on. Default: APP_PORT.",
)
@click.option("--daemon", default="manual_install", show_default=True, help="AppAPI daemon.")
def nextcloud_register_info(secret: str, port: int, daemon: str) -> None:
    """Print the --json-info of `occ app_api:app:register samverkan DAEMON`, from info.xml."""
    from samverkan.nextcloud.appinfo import AppInfoError, manual_install

    try:
        info = manual_install(secret, port, daemon)
    except AppInfoError as error:
        raise click.ClickException(str(error)) from None
    click.echo(msgspec.json.encode(info).decode())
