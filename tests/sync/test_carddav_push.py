"""The CardDAV push, run against real Radicale and Xandikos servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from directory.core.settings import SettingsError, load_settings
from directory.records.resources import CONTACTS, ORGANIZATIONS
from directory.records.tables import Contact
from sync.carddav_push import push_directory
from sync.dav_collection import PushReport
from sync.dav_session import DavUnavailable
from sync.dav_tables import DavEntry
from tests.conftest import run_async
from tests.sync.conftest import (
    Directory,
    auth_for,
    dav_session,
    list_items,
    read_cards,
    start_server,
)

PUBLIC_URL = "https://samverkan.example.se"


def push(home: str, books: tuple[str, ...] | None = None) -> tuple[dict[str, PushReport], int]:
    async def run() -> tuple[dict[str, PushReport], int]:
        async with dav_session(home) as session:
            reports = await push_directory(session, home, PUBLIC_URL, books=books)
            return reports, session.requests

    result: tuple[dict[str, PushReport], int] = run_async(run())
    return result


def book(home: str, audience: str) -> str:
    return f"{home}samverkan-{audience}/"


def seed(directory: Directory) -> dict[str, Any]:
    school = directory.organization(
        "Utbildningsförvaltningen",
        visibility="internal",
        areas=["school"],
        phones=[{"number": "070-174 06 05", "description": "växel"}],
        visiting_address="Kommunhuset, Tyresö centrum",
        postal_address="Tyresö kommun, 135 81 Tyresö",
    )
    police = directory.organization("Polisen Nacka", kind="authority", visibility="partners")
    cve = directory.organization("CVE", kind="national", visibility="public")
    return {
        "school": school,
        "police": police,
        "cve": cve,
        "teacher": directory.contact(
            school,
            "Karin Lund",
            visibility="internal",
            title="SSPF-koordinator",
            email="karin.lund@example.se",
            phones=[{"number": "070-174 06 07", "description": "mobil"}],
            areas=["school", "leisure"],
        ),
        "officer": directory.contact(
            police, "Kommunpolis", is_function=True, visibility="partners"
        ),
        "public_in_internal": directory.contact(school, "Växeln", visibility="public"),
        "support": directory.contact(cve, "Stödlinjen", is_function=True, visibility="public"),
    }


def test_each_address_book_holds_exactly_what_its_audience_may_read(
    dav_home: str, directory: Directory
) -> None:
    records = seed(directory)
    push(dav_home)
    ids = {name: str(record.id) for name, record in records.items()}
    assert set(read_cards(book(dav_home, "internal"))) == set(ids.values())
    assert set(read_cards(book(dav_home, "partners"))) == {
        ids["police"],
        ids["cve"],
        ids["officer"],
        ids["support"],
    }
    assert set(read_cards(book(dav_home, "public"))) == {ids["cve"], ids["support"]}


def test_only_the_configured_books_are_published_and_a_dropped_one_is_emptied(
    dav_home: str, directory: Directory
) -> None:
    """One book per reader class ends duplicates in Nextcloud's search: a reader shared the
    internal book already finds the partners' and public entries in it."""
    records = seed(directory)
    push(dav_home)
    assert read_cards(book(dav_home, "public"))
    reports, _ = push(dav_home, books=("internal", "partners"))
    assert reports["public"].deleted == 2 and set(reports) == {"internal", "partners", "public"}
    assert read_cards(book(dav_home, "public")) == {}
    assert set(read_cards(book(dav_home, "internal"))) == {str(r.id) for r in records.values()}
    reports, _ = push(dav_home, books=("internal",))
    assert set(reports) == {"internal", "partners"}  # the emptied public book is left alone
    assert read_cards(book(dav_home, "partners")) == {}
    assert len(read_cards(book(dav_home, "internal"))) == len(records)


def test_address_books_setting_names_a_wrong_book(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDDAV_URL", "http://127.0.0.1:9/dav/")
    monkeypatch.setenv("CARDDAV_ADDRESS_BOOKS", "internal, staff")
    with pytest.raises(SettingsError, match=r"CARDDAV_ADDRESS_BOOKS.*'staff'"):
        load_settings()
    monkeypatch.setenv("CARDDAV_ADDRESS_BOOKS", "partners")
    dav = load_settings().dav
    assert dav is not None and dav.address_books == ("partners",)


def test_cards_carry_name_organisation_title_phones_emails_addresses_categories_and_link(
    dav_home: str, directory: Directory
) -> None:
    records = seed(directory)
    push(dav_home)
    cards = read_cards(book(dav_home, "internal"))
    teacher = cards[str(records["teacher"].id)]
    assert teacher.version.value == "3.0"
    assert teacher.fn.value == "Karin Lund"
    assert (teacher.n.value.given, teacher.n.value.family) == ("Karin", "Lund")
    assert teacher.org.value == ["Utbildningsförvaltningen"]
    assert teacher.title.value == "SSPF-koordinator"
    assert teacher.tel.value == "070-174 06 07"
    assert set(teacher.tel.params["TYPE"]) == {"WORK", "CELL"}
    assert teacher.email.value == "karin.lund@example.se"
    assert teacher.categories.value == ["Kommunal verksamhet", "Skola", "Fritid"]
    assert teacher.url.value == f"{PUBLIC_URL}/contacts/{records['teacher'].id}"
    school = cards[str(records["school"].id)]
    assert school.kind.value == "org"
    assert set(school.tel.params["TYPE"]) == {"WORK", "VOICE"}
    addresses = {adr.params["TYPE"][0]: adr.value.street for adr in school.contents["adr"]}
    assert addresses == {
        "WORK": "Kommunhuset, Tyresö centrum",
        "POSTAL": "Tyresö kommun, 135 81 Tyresö",
    }


def test_a_second_push_sends_nothing_and_keeps_every_etag(
    dav_home: str, directory: Directory
) -> None:
    seed(directory)
    first, _ = push(dav_home)
    assert sum(report.created for report in first.values()) == 13
    etags = {audience: list_items(book(dav_home, audience)) for audience in first}
    again, requests = push(dav_home)
    # Per address book a PROPFIND and, as the first push wrote, a sync-collection REPORT.
    assert requests == 6
    assert all(report == PushReport(unchanged=report.unchanged) for report in again.values())
    assert {audience: list_items(book(dav_home, audience)) for audience in first} == etags
    _, requests = push(dav_home)
    assert requests == 3  # the sync tokens are unchanged: one PROPFIND per address book


def test_an_update_rewrites_the_card_under_the_same_uid(
    dav_home: str, directory: Directory
) -> None:
    records = seed(directory)
    push(dav_home)
    directory.update(CONTACTS, records["support"], title="Nationell stödlinje")
    reports, _ = push(dav_home)
    assert [reports[a].updated for a in ("internal", "partners", "public")] == [1, 1, 1]
    card = read_cards(book(dav_home, "public"))[str(records["support"].id)]
    assert card.title.value == "Nationell stödlinje"


def test_retired_and_narrowed_records_leave_the_books(dav_home: str, directory: Directory) -> None:
    records = seed(directory)
    push(dav_home)
    directory.retire(CONTACTS, records["officer"])
    directory.update(CONTACTS, records["support"], visibility="internal")
    reports, _ = push(dav_home)
    assert reports["partners"].deleted == 2
    partners = read_cards(book(dav_home, "partners"))
    assert str(records["officer"].id) not in partners
    assert str(records["support"].id) not in partners
    assert str(records["support"].id) in read_cards(book(dav_home, "internal"))
    assert len(list_items(book(dav_home, "internal"))) == 6


def test_a_card_changed_behind_our_back_is_overwritten_and_counted(
    dav_home: str, directory: Directory
) -> None:
    import httpx

    records = seed(directory)
    push(dav_home)
    entry = run_async(
        DavEntry.objects()
        .where(
            (DavEntry.uid == str(records["cve"].id))
            & (DavEntry.collection == book(dav_home, "public"))
        )
        .first()
    )
    foreign = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Ändrad av någon annan\r\n"
        "N:Annan;;;;\r\nEND:VCARD\r\n"
    ).format(uid=records["cve"].id)
    changed = httpx.put(
        entry.href, content=foreign.encode(), auth=auth_for(entry.href),
        headers={"Content-Type": "text/vcard"},
    )  # fmt: skip
    assert changed.status_code in (201, 204)
    directory.update(ORGANIZATIONS, records["cve"], description="Nationellt centrum")
    reports, _ = push(dav_home)
    assert (reports["public"].reverted, reports["public"].conflicts) == (1, 0)
    card = read_cards(book(dav_home, "public"))[str(records["cve"].id)]
    assert card.fn.value == "CVE"
    assert card.note.value == "Nationellt centrum"


def test_user_text_cannot_break_out_of_its_card(dav_home: str, directory: Directory) -> None:
    tricky = 'Ann; "Berg", \r\nEND:VCARD\r\nBEGIN:VCARD\r\nUID:evil'
    org = directory.organization("Förening, med; tecken", kind="ngo", visibility="public")
    contact = directory.contact(org, tricky.replace("\r\n", " "), visibility="public")
    directory.update(ORGANIZATIONS, org, description=tricky)
    push(dav_home)
    cards = read_cards(book(dav_home, "public"))
    assert set(cards) == {str(org.id), str(contact.id)}
    assert cards[str(org.id)].fn.value == "Förening, med; tecken"
    assert "END:VCARD" in cards[str(org.id)].note.value


@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_server_down_then_up_loses_nothing(kind: str, tmp_path: Path, directory: Directory) -> None:
    server = start_server(kind, tmp_path)
    try:
        home = server.new_home()
        records = seed(directory)
        push(home)
        server.stop()
        directory.update(CONTACTS, records["support"], title="Ny titel")
        directory.retire(CONTACTS, records["officer"])
        with pytest.raises(DavUnavailable):
            push(home)
        server.start()
        push(home)
        public = read_cards(book(home, "public"))
        assert public[str(records["support"].id)].title.value == "Ny titel"
        assert str(records["officer"].id) not in read_cards(book(home, "partners"))
        again, requests = push(home)
        assert requests == 6
        assert all(
            report.unchanged == len(list_items(book(home, a))) for a, report in again.items()
        )
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_a_server_that_returns_during_backoff_gets_everything(
    kind: str, tmp_path: Path, directory: Directory
) -> None:
    server = start_server(kind, tmp_path)
    home = server.new_home()
    seed(directory)
    server.stop()
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)
        if len(waits) == 2:
            server.start()

    async def run() -> dict[str, PushReport]:
        session = dav_session(home)
        session.sleep = sleep
        async with session:
            return await push_directory(session, home, PUBLIC_URL)

    try:
        reports = run_async(run())
        assert waits == [0.01, 0.02]
        assert sum(report.created for report in reports.values()) == 13
        assert len(read_cards(book(home, "internal"))) == 7
    finally:
        server.stop()
    assert run_async(Contact.count()) == 4


def test_the_database_keeps_one_record_per_pushed_item(dav_home: str, directory: Directory) -> None:
    records = seed(directory)
    push(dav_home)
    collection = book(dav_home, "public")
    entry = run_async(
        DavEntry.objects()
        .where((DavEntry.uid == str(records["cve"].id)) & (DavEntry.collection == collection))
        .first()
    )
    twin = DavEntry(collection=collection, uid=entry.uid, href=entry.href + "-twin", etag="x")
    with pytest.raises(Exception, match=r"(?i)unique"):
        run_async(twin.save())
    same = (DavEntry.uid == entry.uid) & (DavEntry.collection == collection)
    assert run_async(DavEntry.count().where(same)) == 1
