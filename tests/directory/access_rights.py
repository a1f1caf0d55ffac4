"""The access matrix's specification: who may call each API operation, on a record of an open
network and on an internal one."""

from __future__ import annotations

from tests.directory.access_fixtures import IDENTITIES, PARTNERS

ALL = frozenset(IDENTITIES)
STAFF = ALL - set(PARTNERS)
WRITERS = STAFF - {"staff"}
OWN = frozenset({"admin", "coordinator"})  # the open and the internal network's coordinators
ADMIN = frozenset({"admin"})
MEMBERS = STAFF | {"member_partner"}
RESOURCES = {
    "organization": "org",
    "contact": "contact",
    "service": "service",
    "network": "network",
}

# operation -> (who may, on the open target; who may, on the internal target)
RIGHTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{f"list_{path}s": (ALL, ALL) for path in ("organization", "contact", "service", "network")},
    **{f"get_{name}": (ALL, STAFF) for name in RESOURCES},
    **{f"create_{name}": (WRITERS, WRITERS) for name in RESOURCES},
    **{f"update_{name}": (WRITERS, WRITERS) for name in ("organization", "contact", "service")},
    **{f"retire_{name}": (WRITERS, WRITERS) for name in ("organization", "contact", "service")},
    "update_network": (OWN, OWN),
    "retire_network": (OWN, OWN),
    **{f"erase_{name}": (ADMIN, ADMIN) for name in RESOURCES},
    "list_taxonomy_terms": (ALL, ALL),
    "create_taxonomy_term": (ADMIN, ADMIN),
    "update_taxonomy_term": (ADMIN, ADMIN),
    "list_audit_entries": (WRITERS, WRITERS),
    "whoami": (ALL, ALL),
    "list_api_tokens": (ALL, ALL),
    "create_api_token": (ALL, ALL),
    "revoke_api_token": (ADMIN | {"member_partner"}, ADMIN | {"member_partner"}),
    "list_meetings": (ALL, ALL),
    "get_meeting": (MEMBERS, STAFF),
    "create_meeting": (OWN, OWN),
    "update_meeting": (OWN, OWN),
    "cancel_meeting": (OWN, OWN),
    "restore_meeting": (OWN, OWN),
    "move_occurrence": (OWN, OWN),
    "cancel_occurrence": (OWN, OWN),
    "restore_occurrence": (OWN, OWN),
    "change_this_and_following": (OWN, OWN),
    "list_attendance": (MEMBERS, STAFF),
    "record_attendance": (OWN, OWN),
    "list_notes": (MEMBERS, STAFF),
    "add_note": (OWN, OWN),
    "list_follow_ups": (MEMBERS, STAFF),
    "add_follow_up": (OWN, OWN),
    "update_follow_up": (OWN, OWN),
    "meeting_conflicts": (WRITERS, WRITERS),
    "meeting_report": (MEMBERS, STAFF),
    "list_feed_tokens": (OWN, OWN),
    "create_feed_token": (OWN, OWN),
    "revoke_feed_token": (OWN, OWN),
    "rotate_feed_token": (OWN, OWN),
    "add_external_calendar": (OWN, OWN),
    "list_external_calendars": (MEMBERS, STAFF),
    "refresh_external_calendar": (OWN, OWN),
    "remove_external_calendar": (OWN, OWN),
    "external_calendar_events": (MEMBERS, STAFF),
    # the plan (its own domain; role guards, no per-network rule): its lookups of unseeded ids
    # may be 404 for an identity that is allowed
    "report_observation": (ALL, ALL),
    "situation_picture": (ALL, ALL),
    **{
        operation: (STAFF, STAFF)
        for operation in (
            "list_plans",
            "get_plan",
            "list_measures",
            "get_measure",
            "list_trainings",
            "training_coverage",
            "get_service_evidence",
            "council_report",
        )
    },
    **{
        operation: (WRITERS, WRITERS)
        for operation in (
            "draft_plan",
            "create_measure",
            "update_measure",
            "record_indicator_value",
            "create_training",
            "record_training_participation",
            "set_service_evidence",
        )
    },
    # HSDS 3.0 read API: the same record rule (a service at a location is named by its
    # organisation's id)
    "hsds_root": (ALL, ALL),
    **{
        f"hsds_{name}": (ALL, ALL)
        for name in ("list_services", "list_organizations", "list_service_at_locations")
    },
    **{f"hsds_{name}": (ALL, ALL) for name in ("list_taxonomies", "get_taxonomy")},
    **{f"hsds_{name}": (ALL, ALL) for name in ("list_taxonomy_terms", "get_taxonomy_term")},
    **{
        f"hsds_{name}": (ALL, STAFF)
        for name in ("get_service", "get_organization", "get_service_at_location")
    },
    "adopt_plan": (ADMIN, ADMIN),
    "search": (ALL, ALL),
    "searchFacetValues": (ALL, ALL),
    "listSynonyms": (ADMIN, ADMIN),
    "saveSynonym": (ADMIN, ADMIN),
    "deleteSynonym": (ADMIN, ADMIN),
}

# page path template -> (who may, on the open target; who may, on the internal target)
PAGE_RIGHTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "/": (ALL, ALL),
    "/calendar": (ALL, ALL),
    "/map": (ALL, ALL),
    "/networks": (ALL, ALL),
    "/vid-oro": (ALL, ALL),
    "/organizations/{record_id}": (ALL, STAFF),
    "/contacts/{record_id}": (ALL, STAFF),
    "/services/{record_id}": (ALL, STAFF),
    "/networks/{record_id}": (ALL, STAFF),
    "/organizations/{record_id}/edit": (WRITERS, WRITERS),
    "/contacts/{record_id}/edit": (WRITERS, WRITERS),
    "/services/{record_id}/edit": (WRITERS, WRITERS),
    "/networks/{record_id}/edit": (OWN, OWN),
    "/meetings/{meeting_id}": (MEMBERS, STAFF),
    "/meetings/{meeting_id}/edit": (OWN, OWN),
    "/networks/{network_id}/meetings/new": (OWN, OWN),
    "/networks/{network_id}/calendar": (ALL, STAFF),
    "/networks/{network_id}/feed/{token_id}": (ALL, STAFF),
    "/networks/{network_id}/people": (OWN, OWN),
    "/organizations/{record_id}/vcard": (ALL, STAFF),
    "/contacts/{record_id}/vcard": (ALL, STAFF),
    "/networks/{network_id}/follow-up": (MEMBERS, STAFF),
    "/admin": (ADMIN, ADMIN),
    "/admin/feed-tokens": (ADMIN, ADMIN),
    "/admin/synonyms": (ADMIN, ADMIN),
    "/admin/taxonomy": (ADMIN, ADMIN),
    "/admin/users": (ADMIN, ADMIN),
    "/admin/users/{account_id}": (ADMIN, ADMIN),
    **{f"/{path}/new": (WRITERS, WRITERS) for path in ("organizations", "contacts", "services")},
    "/networks/new": (WRITERS, WRITERS),
    "/plan/observations/new": (ALL, ALL),
    "/plan/picture": (ALL, ALL),
    "/plan": (STAFF, STAFF),
    "/plan/measures": (STAFF, STAFF),
    "/plan/trainings": (STAFF, STAFF),
    "/admin/tokens": (ADMIN, ADMIN),
    "/admin/guidance": (ADMIN, ADMIN),
}
