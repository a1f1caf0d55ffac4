"""What a successful form post says after its redirect (post/redirect/get).

The redirect carries a short code in ``?notice=``; the page shows the code's message, so a
refresh shows the page again and never re-sends the form. Only codes listed here are shown, so
the address cannot make a page say anything else.
"""

from __future__ import annotations

from typing import Final

from directory.core.errors import N_

NOTICES: Final[dict[str, str]] = {
    "meeting_booked": N_("The meeting is booked."),
    "occurrence_cancelled": N_("The occasion is cancelled."),
    "occurrence_moved": N_("The occasion is moved."),
    "series_split": N_("The following occasions are changed."),
    "series_saved": N_("The changes are saved for every occasion."),
    "series_cancelled": N_("The meeting is cancelled, with every occasion."),
    "series_restored": N_("The meeting is restored: it is planned again."),
    "occurrence_restored": N_("The occasion is restored."),
    "attendance_saved": N_("The attendance is saved."),
    "note_saved": N_("The note is saved."),
    "follow_up_added": N_("The follow-up is added."),
    "follow_up_done": N_("The follow-up is marked as done."),
    "record_created": N_("The entry is created."),
    "record_saved": N_("The changes are saved."),
    "record_verified": N_("The entry is marked as verified today."),
    "record_retired": N_("The entry is retired: it no longer shows in lists and search."),
    "record_restored": N_("The entry is restored."),
    "user_created": N_("The user is created."),
    "user_saved": N_("The user is saved."),
    "password_set": N_("The new password is set."),
    "token_revoked": N_("The token is revoked."),
    "person_added": N_("Added to the network."),
    "person_removed": N_("Removed from the network."),
    "feed_revoked": N_("The subscription link is revoked."),
    "observation_reported": N_("Thank you, the report is saved."),
    "measure_created": N_("The measure is saved."),
    "measure_saved": N_("The measure is updated."),
    "training_created": N_("The training is added."),
    "participation_saved": N_("The participation is saved."),
    "saved": N_("Saved."),
}


def with_notice(path: str, code: str) -> str:
    """``path`` with ``?notice=code`` before any ``#fragment``."""
    if code not in NOTICES:
        raise KeyError(code)
    address, hash_sign, fragment = path.partition("#")
    separator = "&" if "?" in address else "?"
    return f"{address}{separator}notice={code}{hash_sign}{fragment}"


def notice_of(code: str | None) -> str:
    """The message id of a known code, else ``""``."""
    return NOTICES.get(code or "", "")
