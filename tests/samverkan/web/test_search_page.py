"""The start page's search: highlighted matches, the empty state, and a query that is too long."""

from __future__ import annotations

from collections.abc import Callable

from tests.samverkan.web.conftest import Client, Writer, search_until

HTMX = {"HX-Request": "true"}


def test_matched_words_are_marked_and_markup_in_a_name_stays_text(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    writer.organization("<script>alert(1)</script> Skolteamet & co")
    client = browser("staff")
    search_until(client, "Skolteamet", q="skolteamet")
    page = client.get("/", params={"q": "skolteamet"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Skolteamet</mark> &amp; co</a>" in page
    assert "<script>alert" not in page and "&amp;lt;" not in page


def test_a_search_that_finds_nothing_says_what_to_try(
    browser: Callable[[str], Client], writer: Writer
) -> None:
    writer.organization("Fritidsgården Bollmora", kind="ngo")
    client = browser("staff")
    search_until(client, "Fritidsgården Bollmora", q="bollmora")
    nothing = client.get("/", params={"q": "zzqxw"}).text
    assert "0 träffar" in nothing and "Inget matchade. Du kan:" in nothing
    assert "kontrollera stavningen," in nothing
    assert '<a href="/vid-oro">Vid oro</a>' in nothing
    assert "ta bort filtren" not in nothing
    filtered = client.get("/", params={"q": "bollmora", "type": "contact"}).text
    assert '<a href="/?q=bollmora">ta bort filtren,</a>' in filtered
    misspelled = client.get("/", params={"q": "bolmorra"}, headers=HTMX).text
    assert 'Menade du <a href="/?q=bollmora">bollmora</a>?' in misspelled
    symbols = client.get("/", params={"q": "!!!"}, headers=HTMX).text
    assert "Skriv bokstäver eller siffror för att söka." in symbols


def test_a_query_over_200_characters_is_answered_next_to_the_box(
    browser: Callable[[str], Client],
) -> None:
    client = browser("staff")
    long = "skola " * 40  # 240 characters
    page = client.get("/", params={"q": long})
    assert page.status_code == 200
    message = "Sökningen har 240 tecken, men högst 200 kan sökas. Korta den och försök igen."
    assert f'<span id="q-problem" class="field-error" aria-live="polite">{message}</span>' in (
        page.text
    )
    assert 'aria-invalid="true"' in page.text and f'value="{long}"' in page.text
    assert 'class="results' not in page.text, "the query was not searched"
    fragment = client.get("/", params={"q": long}, headers=HTMX).text
    assert f'<span id="q-problem" hx-swap-oob="innerHTML">{message}</span>' in fragment
    assert "<html" not in fragment
    fine = client.get("/", params={"q": "skola"}, headers=HTMX).text
    assert '<span id="q-problem" hx-swap-oob="innerHTML"></span>' in fine
    assert client.get("/", params={"q": "s" * 200}).status_code == 200
