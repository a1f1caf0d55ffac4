"""Administration for admins: accounts and roles, feed tokens, search synonyms, the taxonomy."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from directory.accounts import service as accounts
from directory.accounts.passwords import check_strength
from directory.accounts.tables import Account, ApiToken
from directory.accounts.tokens import TokenService
from directory.core.access import Principal, Role
from directory.core.errors import N_, Conflict, InvalidField, InvalidFields
from directory.core.schemas import TaxonomyTermIn
from directory.core.tables import TaxonomyTerm
from directory.core.validation import check_email
from directory.core.vocabulary import TAXONOMIES, add_term, relabel_term
from directory.meetings.feed_tokens import FeedTokenService
from directory.records.tables import Organization
from samverkan.web.embedding import redirect
from samverkan.web.messages import error_text, invalid_field
from samverkan.web.notices import with_notice
from samverkan.web.rendering import page
from search import synonyms
from search.api import backend_of

WebRequest = Request[Principal, Any, Any]
ROLES = [role.value for role in Role]


async def _form(request: WebRequest) -> dict[str, str]:
    form = await request.form()
    return {key: str(form.get(key, "")).strip() for key in form}


@get("/admin", name="admin")
async def admin_index(request: WebRequest) -> Template:
    return await page(request, "admin/index.html")


async def _organizations() -> list[dict[str, Any]]:
    return list(
        await Organization.select(Organization.id, Organization.name)
        .where(Organization.retired_at.is_null())
        .order_by(Organization.name)
    )


async def _users_page(
    request: WebRequest,
    errors: dict[str, str],
    status: int = 200,
    entered: dict[str, str] | None = None,
) -> Template:
    users = await Account.select().order_by(Account.username)
    orgs = await _organizations()
    return await page(
        request,
        "admin/users.html",
        status_code=status,
        users=users,
        organizations=orgs,
        org_names={row["id"]: row["name"] for row in orgs},
        roles=ROLES,
        errors=errors,
        entered=entered or {},
    )


@get("/admin/users", name="admin_users")
async def users(request: WebRequest) -> Template:
    return await _users_page(request, {})


def _errors(problems: list[InvalidField]) -> dict[str, str]:
    return {problem.field: error_text(problem) for problem in reversed(problems)}


async def _new_user_problems(values: dict[str, str]) -> list[InvalidField]:
    """Every reason the new-user form cannot be saved, all at once."""
    problems = []
    username = values.get("username", "")
    if not username:
        problems.append(InvalidField("username", N_("must not be empty")))
    elif await Account.exists().where(Account.username == username):
        problems.append(InvalidField("username", N_("is already taken")))
    try:
        check_strength(
            values.get("password", ""),
            username,
            values.get("display_name", ""),
            values.get("email", ""),
        )
    except InvalidField as error:
        problems.append(error)
    try:
        check_email("email", values.get("email", ""))
    except InvalidField as error:
        problems.append(error)
    if values.get("role", "") not in ROLES:
        problems.append(InvalidField("role", N_("choose a role")))
    return problems


@post("/admin/users", name="admin_user_create")
async def create_user(request: WebRequest) -> Response[Any]:
    """Create an account; a refused form comes back with what was typed (but the password)
    and a message at every bad field."""
    values = await _form(request)
    problems = await _new_user_problems(values)
    if problems:
        entered = {key: value for key, value in values.items() if key != "password"}
        return await _users_page(request, _errors(problems), HTTP_422_UNPROCESSABLE_ENTITY, entered)
    organization = values.get("organization_id") or None
    await accounts.create_account(
        values["username"],
        values["role"],
        values.get("display_name", ""),
        values.get("email", ""),
        uuid.UUID(organization) if organization else None,
    )
    await accounts.set_password(values["username"], values["password"])
    return redirect(with_notice("/admin/users", "user_created"))


@post("/admin/users/{account_id:uuid}", name="admin_user_update")
async def update_user(request: WebRequest, account_id: uuid.UUID) -> Response[Any]:
    """Change the role, or disable / enable; an admin cannot lock themself out."""
    values = await _form(request)
    _not_yourself(request, account_id)
    if "role" in values:
        await accounts.set_role(account_id, values["role"])
    if values.get("disabled") in {"true", "false"}:
        await accounts.set_disabled(account_id, values["disabled"] == "true")
    return redirect(with_notice("/admin/users", "user_saved"))


def _not_yourself(request: WebRequest, account_id: uuid.UUID) -> None:
    if account_id == request.user.account_id:
        raise InvalidField("role", N_("change your own account from another admin's session"))


async def _user_page(
    request: WebRequest,
    account_id: uuid.UUID,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = await Account.select().where(Account.id == account_id).first()
    if user is None:
        raise NotFoundException()
    return await page(
        request,
        "admin/user.html",
        status_code=status,
        user={**user, **(entered or {})},
        organizations=await _organizations(),
        roles=ROLES,
        tokens=await accounts.tokens_of(account_id),
        errors=errors or {},
    )


@get("/admin/users/{account_id:uuid}", name="admin_user")
async def user_page(request: WebRequest, account_id: uuid.UUID) -> Template:
    return await _user_page(request, account_id)


@post("/admin/users/{account_id:uuid}/edit", name="admin_user_edit")
async def edit_user(request: WebRequest, account_id: uuid.UUID) -> Response[Any]:
    """Name, email, organisation and (for someone else) role."""
    values = await _form(request)
    current = await Account.select(Account.role).where(Account.id == account_id).first()
    if current is None:
        raise NotFoundException()
    role = str(values.get("role") or current["role"])
    if account_id == request.user.account_id:
        role = str(current["role"])
    organization = values.get("organization_id") or None
    try:
        await accounts.update_account(
            account_id,
            values.get("display_name", ""),
            values.get("email", ""),
            uuid.UUID(organization) if organization else None,
            role,
        )
    except InvalidFields as error:
        return await _user_page(
            request, account_id, _errors(error.errors), values, HTTP_422_UNPROCESSABLE_ENTITY
        )
    return redirect(with_notice(f"/admin/users/{account_id}", "user_saved"))


@post("/admin/users/{account_id:uuid}/password", name="admin_user_password")
async def reset_password(request: WebRequest, account_id: uuid.UUID) -> Response[Any]:
    values = await _form(request)
    user = await Account.select(Account.username).where(Account.id == account_id).first()
    if user is None:
        raise NotFoundException()
    try:
        await accounts.set_password(user["username"], values.get("password", ""))
    except InvalidField as error:
        return await _user_page(
            request, account_id, _errors([error]), None, HTTP_422_UNPROCESSABLE_ENTITY
        )
    return redirect(with_notice(f"/admin/users/{account_id}", "password_set"))


@post(
    "/admin/users/{account_id:uuid}/tokens/{token_id:uuid}/revoke", name="admin_user_token_revoke"
)
async def revoke_user_token(
    request: WebRequest, account_id: uuid.UUID, token_id: uuid.UUID
) -> Response[Any]:
    if not await ApiToken.exists().where(
        (ApiToken.id == token_id) & (ApiToken.account == account_id)
    ):
        raise NotFoundException()
    await accounts.revoke_token(token_id)
    return redirect(with_notice(f"/admin/users/{account_id}", "token_revoked"))


@get("/admin/feed-tokens", name="admin_feed_tokens")
async def feed_tokens(request: WebRequest) -> Template:
    tokens = await FeedTokenService(request.user).list(None)
    return await page(request, "admin/feed_tokens.html", tokens=tokens)


@post("/admin/feed-tokens/{token_id:uuid}/revoke", name="admin_feed_token_revoke")
async def revoke_feed_token(request: WebRequest, token_id: uuid.UUID) -> Response[Any]:
    await FeedTokenService(request.user).revoke(token_id)
    return redirect(with_notice("/admin/feed-tokens", "feed_revoked"))


@get("/admin/tokens", name="admin_tokens")
async def api_tokens(request: WebRequest) -> Template:
    """Every bearer token with its owner, last use and expiry; revoke one that has leaked."""
    tokens = await TokenService(request.user).list()
    return await page(request, "admin/tokens.html", tokens=tokens)


@post("/admin/tokens/{token_id:uuid}/revoke", name="admin_token_revoke")
async def revoke_api_token(request: WebRequest, token_id: uuid.UUID) -> Response[Any]:
    await TokenService(request.user).revoke(token_id)
    return redirect("/admin/tokens")


@get("/admin/synonyms", name="admin_synonyms")
async def synonym_list(request: WebRequest) -> Template:
    return await page(request, "admin/synonyms.html", synonyms=await synonyms.list_synonyms())


@post("/admin/synonyms", name="admin_synonym_save")
async def synonym_save(request: WebRequest) -> Response[Any]:
    """Save (or with ``delete``, remove) a word's synonyms and give them to the search backend."""
    values = await _form(request)
    if values.get("delete"):
        await synonyms.delete_synonym(values["delete"])
    else:
        phrases = [part.strip() for part in values.get("synonyms", "").split(",") if part.strip()]
        one_way = values.get("one_way") == "on"
        await synonyms.save_synonym(values.get("term", ""), phrases, one_way)
    await backend_of(request.app.state).set_synonyms(await synonyms.synonym_mapping())
    return redirect(with_notice("/admin/synonyms", "saved"))


async def _taxonomy_page(
    request: WebRequest, errors: dict[str, str], status: int = 200
) -> Template:
    terms = (
        await TaxonomyTerm.select().order_by(TaxonomyTerm.taxonomy).order_by(TaxonomyTerm.position)
    )
    return await page(
        request,
        "admin/taxonomy.html",
        status_code=status,
        terms=terms,
        taxonomies=TAXONOMIES,
        errors=errors,
    )


@get("/admin/taxonomy", name="admin_taxonomy")
async def taxonomy(request: WebRequest) -> Template:
    return await _taxonomy_page(request, {})


@post("/admin/taxonomy", name="admin_taxonomy_save")
async def taxonomy_save(request: WebRequest) -> Response[Any]:
    """Add a term, or (with ``term_id``) change one's labels and position."""
    values = await _form(request)
    term_id = values.pop("term_id", "")
    values.pop("_csrf_token", None)
    try:
        data = msgspec.convert(values, TaxonomyTermIn, strict=False)
        if term_id:
            await relabel_term(uuid.UUID(term_id), data)
        else:
            await add_term(data)
    except msgspec.ValidationError as error:
        invalid = invalid_field(error, "code")
        return await _taxonomy_page(
            request, {invalid.field: error_text(invalid)}, HTTP_422_UNPROCESSABLE_ENTITY
        )
    except (InvalidField, Conflict) as error:
        field = error.field if isinstance(error, InvalidField) else "code"
        return await _taxonomy_page(
            request, {field: error_text(error)}, HTTP_422_UNPROCESSABLE_ENTITY
        )
    return redirect(with_notice("/admin/taxonomy", "saved"))


ADMIN_HANDLERS = [
    admin_index,
    users,
    create_user,
    update_user,
    user_page,
    edit_user,
    reset_password,
    revoke_user_token,
    feed_tokens,
    revoke_feed_token,
    api_tokens,
    revoke_api_token,
    synonym_list,
    synonym_save,
    taxonomy,
    taxonomy_save,
]
