"""Accounts and bearer tokens from the command line."""

from __future__ import annotations

from typing import Any

import click

from directory.accounts import service as accounts
from samverkan.cli import main, prepare_database, run


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "staff", "partner"])
)
@click.option("--username", default="", help="Give the token to this existing account instead.")
@click.option("--label", default="")
@click.option("--expires-days", type=click.IntRange(1, 3650), help="Stop working after N days.")
def token_create(role: str, username: str, label: str, expires_days: int | None) -> None:
    """Create an account of ROLE (or use --username) and print a new bearer token."""
    import datetime as dt

    from directory.accounts.tables import Account

    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None

    async def create() -> str:
        if not username:
            return await accounts.create_service_token(role, label, expires_at)
        row = await Account.select(Account.id).where(Account.username == username).first()
        if row is None:
            raise click.ClickException(f"no account named {username!r}")
        return await accounts.create_token(row["id"], label, expires_at)

    prepare_database()
    click.echo(run(create))


@token.command("list")
@click.option("--username", default="", help="Only this account's tokens.")
def token_list(username: str) -> None:
    """Every bearer token: id, owner, label, created, last used, expiry, revoked."""
    from directory.accounts.tokens import TokenService

    async def listed() -> list[Any]:
        return await TokenService(_cli_admin()).list(username)

    for item in run(listed):
        state = f"revoked {item.revoked_at:%Y-%m-%d %H:%M}" if item.revoked_at else "live"
        expiry = f"{item.expires_at:%Y-%m-%d}" if item.expires_at else "never"
        used = f"{item.last_used_at:%Y-%m-%d %H:%M}" if item.last_used_at else "never"
        click.echo(
            f"{item.id}  {item.username}  {item.label or '-'}  created {item.created_at:%Y-%m-%d}"
            f"  last used {used}  expires {expiry}  {state}"
        )


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
def token_revoke(token_id: Any) -> None:
    """Revoke the token TOKEN_ID (from ``token list``) at once."""
    from directory.accounts.tokens import TokenService

    async def revoke() -> Any:
        return await TokenService(_cli_admin()).revoke(token_id)

    revoked = run(revoke)
    click.echo(f"revoked {revoked.id} of {revoked.username}")


def _cli_admin() -> Any:
    """Whoever runs the CLI on the server is its administrator."""
    import uuid

    from directory.core.access import Principal, Role

    return Principal(uuid.UUID(int=0), "cli", Role.ADMIN)


@main.group()
def account() -> None:
    """Accounts of people who sign in."""


@account.command("create")
@click.option("--username", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "staff", "partner"])
)
@click.option("--display-name", default="")
@click.option("--email", default="")
def account_create(username: str, role: str, display_name: str, email: str) -> None:
    """Create an account and print its id."""

    async def create() -> str:
        created = await accounts.create_account(username, role, display_name, email)
        return str(created.id)

    prepare_database()
    click.echo(run(create))


@account.command("set-password")
@click.option("--username", required=True)
@click.password_option(help="Asked for (twice) when not given.")
def account_set_password(username: str, password: str) -> None:
    """Set the password ACCOUNT signs in to the web interface with (stored as a scrypt hash)."""
    prepare_database()
    run(lambda: accounts.set_password(username, password))
    click.echo(f"password set for {username}")
