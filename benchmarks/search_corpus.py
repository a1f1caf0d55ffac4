"""A synthetic Swedish directory for the search benchmark: organisations, contacts, services and
networks built from name parts, and a mix of the queries staff type (prefixes, typos, whole
words, phone digits, facet filters), both from fixed seeds so runs compare."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

MUNICIPALITIES = [
    "Tyresö",
    "Haninge",
    "Huddinge",
    "Nacka",
    "Stockholm",
    "Botkyrka",
    "Södertälje",
    "Solna",
    "Sundbyberg",
    "Järfälla",
    "Täby",
    "Danderyd",
    "Lidingö",
    "Värmdö",
    "Norrtälje",
    "Uppsala",
    "Enköping",
    "Västerås",
    "Eskilstuna",
    "Örebro",
    "Linköping",
    "Norrköping",
    "Jönköping",
    "Växjö",
    "Kalmar",
    "Karlskrona",
    "Malmö",
    "Lund",
    "Helsingborg",
    "Kristianstad",
    "Halmstad",
    "Göteborg",
    "Borås",
    "Trollhättan",
    "Karlstad",
    "Falun",
    "Gävle",
    "Sundsvall",
    "Östersund",
    "Umeå",
    "Skellefteå",
    "Luleå",
    "Kiruna",
    "Visby",
    "Mölndal",
    "Kungsbacka",
    "Sigtuna",
]
UNITS = [
    ("Socialtjänsten", "internal", ["social_services"]),
    ("Socialförvaltningen", "internal", ["social_services"]),
    ("Fritidsgården", "internal", ["leisure"]),
    ("Kultur- och fritidsförvaltningen", "internal", ["leisure"]),
    ("Barn- och utbildningsförvaltningen", "internal", ["school"]),
    ("Elevhälsan", "internal", ["school", "health_care"]),
    ("Säkerhetsfunktionen", "internal", ["security"]),
    ("Lokalpolisområde", "authority", ["police"]),
    ("Vårdcentralen", "authority", ["health_care"]),
    ("Ungdomsmottagningen", "authority", ["health_care"]),
    ("Svenska kyrkan", "faith", ["faith"]),
    ("Islamiska församlingen", "faith", ["faith"]),
    ("Katolska församlingen", "faith", ["faith"]),
    ("Röda Korset", "ngo", ["civil_society"]),
    ("Rädda Barnen", "ngo", ["civil_society", "relatives_support"]),
    ("Föreningen Fryshuset", "ngo", ["civil_society", "leisure"]),
    ("Brottsförebyggande rådet", "internal", ["crime_prevention"]),
]
SCHOOL_PARTS = ["Strand", "Björk", "Ek", "Lind", "Sjö", "Berg", "Äng", "Skogs", "Dal", "Hag", "Vik"]
SCHOOL_KINDS = ["skolan", "gymnasiet", "förskolan", "grundskolan"]
FIRST = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Johanna",
    "Elin",
    "Ida",
    "Linnéa",
    "Erik",
    "Lars",
    "Karl",
    "Anders",
    "Johan",
    "Per",
    "Mikael",
    "Jonas",
    "Björn",
    "Åsa",
    "Örjan",
    "Fatima",
    "Amir",
    "Ali",
    "Leyla",
    "Mohammed",
    "Nils",
    "Gustav",
    "Oskar",
    "Hugo",
    "Märta",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Öberg",
    "Åberg",
    "Hassan",
    "Ahmed",
    "Ali",
    "Lundqvist",
    "Sjöberg",
    "Berglund",
    "Engström",
    "Håkansson",
    "Strömberg",
]
TITLES = [
    "Socialsekreterare",
    "Fältassistent",
    "Säkerhetssamordnare",
    "Brottsförebyggande samordnare",
    "SSPF-koordinator",
    "Rektor",
    "Kurator",
    "Fritidsledare",
    "Kommunpolis",
    "Enhetschef",
    "Kontaktperson för VBE-frågor",
    "Präst",
    "Imam",
    "Verksamhetsledare",
    "Skolsköterska",
]
SERVICES = [
    "Stöd till anhöriga",
    "Orosanmälan",
    "Öppen fritidsverksamhet",
    "Föräldrastöd",
    "Samtalsstöd för unga",
    "Utbildning om våldsbejakande extremism",
    "Läxhjälp",
    "Socialjour",
    "Mentorsprogram",
    "Avhopparverksamhet",
    "Dialogmöten",
    "Lägesbild och uppföljning",
]
NETWORKS = ["SSPF", "Nätverk mot VBE", "Samverkansråd", "Trossamfundens dialogforum", "BRÅ-grupp"]


def _phone(rng: random.Random) -> str:
    return f"08-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)}"


def generate(entries: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Rows for the four tables, in the proportions of a real directory."""
    rng = random.Random(seed)
    n_orgs, n_services, n_networks = entries * 12 // 100, entries * 17 // 100, entries // 100
    n_contacts = entries - n_orgs - n_services - n_networks
    orgs: list[dict[str, Any]] = []
    for _ in range(n_orgs):
        town = rng.choice(MUNICIPALITIES)
        if rng.random() < 0.3:
            name = f"{rng.choice(SCHOOL_PARTS)}{rng.choice(SCHOOL_KINDS)} i {town}"
            kind, areas = "internal", ["school"]
        else:
            unit, kind, areas = rng.choice(UNITS)
            name = f"{unit} {town}"
        slug = name.lower().replace(" ", "")[:12]
        orgs.append(
            {
                "id": uuid.uuid4(),
                "name": name,
                "kind": kind,
                "municipality": town,
                "areas": json.dumps(areas),
                "levels": json.dumps(rng.sample(["general", "selective", "indicated"], 2)),
                "visibility": rng.choice(["public", "public", "partners", "internal"]),
                "email": f"info@{slug}.example.se",
                "phones": json.dumps([{"number": _phone(rng)}]),
                "description": f"{name} arbetar förebyggande i {town}.",
            }
        )
    contacts = []
    for _ in range(n_contacts):
        owner = rng.choice(orgs)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        contacts.append(
            {
                "id": uuid.uuid4(),
                "organization_id": owner["id"],
                "name": f"{first} {last}",
                "title": rng.choice(TITLES),
                "visibility": rng.choice(["public", "partners", "internal"]),
                "email": f"{first}.{last}@{owner['municipality']}.example.se".lower(),
                "phones": json.dumps([{"number": _phone(rng)}]),
            }
        )
    services = []
    for _ in range(n_services):
        owner = rng.choice(orgs)
        services.append(
            {
                "id": uuid.uuid4(),
                "organization_id": owner["id"],
                "name": f"{rng.choice(SERVICES)} – {owner['municipality']}",
                "description": "Kontakta oss vid oro för barn och unga.",
                "areas": owner["areas"],
                "levels": json.dumps([rng.choice(["general", "selective", "indicated"])]),
                "visibility": rng.choice(["public", "partners"]),
            }
        )
    networks = [
        {
            "id": uuid.uuid4(),
            "name": f"{rng.choice(NETWORKS)} {town}",
            "municipality": town,
            "visibility": "partners",
            "description": "Nätverksmöten varannan vecka.",
        }
        for town in (rng.choice(MUNICIPALITIES) for _ in range(n_networks))
    ]
    return {"organization": orgs, "contact": contacts, "service": services, "network": networks}


def queries(count: int, seed: int = 11) -> list[dict[str, str]]:
    """A realistic mix: prefixes as typed, typos, whole names, phones, facet filters."""
    rng = random.Random(seed)
    kinds = [
        lambda: {
            "q": rng.choice(["soci", "fri", "tyre", "polis", "skol", "sakerh", "radda", "elev"])
        },
        lambda: {
            "q": rng.choice(
                [
                    "socialtjänstn",
                    "polsien",
                    "fritidsgårdn",
                    "ungdomsmotagningen",
                    "kurrator",
                    "trossamfnud",
                ]
            )
        },
        lambda: {"q": f"{rng.choice(FIRST)} {rng.choice(LAST)[:4]}"},
        lambda: {"q": f"{rng.choice(UNITS)[0].split()[0]} {rng.choice(MUNICIPALITIES)}"},
        lambda: {"q": str(rng.randint(100, 999)) + str(rng.randint(10, 99))},
        lambda: {
            "q": rng.choice(
                ["rektor", "kurator", "säkerhetssamordnare", "VBE", "SSPF", "BRÅ", "soc"]
            ),
            "municipality": rng.choice(MUNICIPALITIES),
        },
        lambda: {
            "q": rng.choice(["stöd", "fritid", "samverkan", "förebygg"]),
            "type": "service",
            "area": rng.choice(["social_services", "leisure", "school"]),
        },
    ]
    return [rng.choice(kinds)() for _ in range(count)]
