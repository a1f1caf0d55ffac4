"""The demo's plan cycle, drawn from the Tyresö action plan (2016): its sections and goals as an
adopted plan version, measures that carry them out, trainings with participation counted per
organisation, and situation-picture reports for this half-year and the one before."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Final, cast

from directory.core.access import Principal, Role
from directory.demo.data import NAMESPACE, _org_id
from directory.plan import measures, observations, trainings
from directory.plan.report import current_period
from directory.plan.schemas import (
    IndicatorValueIn,
    MeasureIn,
    MeasureStatus,
    ObservationIn,
    ParticipationIn,
    PlanIn,
    SectionIn,
    TrainingIn,
)

_ADMIN = Principal(
    account_id=uuid.uuid5(NAMESPACE, "account/demo"), username="demo", role=Role.ADMIN
)

SECTIONS: Final = (
    ("1", "Bakgrund", "Kommunfullmäktige beslutar om handlingsplanen; kommunstyrelsen är ytterst "
     "ansvarig för att arbetet bedrivs samordnat.", ()),
    ("1.1", "Handlingsplanens syfte", "", (
        "Öka kunskapen om våldsbejakande extremism",
        "Tydliggöra ansvarsfördelning",
        "Möjliggöra för verksamheter att agera tidigt",
    )),
    ("1.2", "Mål", "", (
        "Minimera riskerna för att personer hamnar i våldsbejakande grupper eller organisationer",
        "Tydliga strukturer för hur arbetet ska bedrivas inom kommunens ansvarsområden",
        "Höja kunskapsnivån om våldsbejakande extremism och samhällets grundläggande värderingar",
    )),
    ("3.1", "Generella förebyggande insatser", "Riktas mot samtliga invånare och stärker "
     "skyddsfaktorer, bland annat skolans demokrati- och kunskapsuppdrag.", ()),
    ("3.2", "Specifika förebyggande insatser", "Målinriktade insatser mot riskgrupper.", ()),
    ("3.3", "Individinriktade förebyggande insatser", "Insatser för enskilda med riskbeteende "
     "eller som vill lämna en våldsbejakande grupp.", ()),
    ("4", "Samverkan och samordning", "Socialtjänst, skola, fritidsverksamhet, kommunens "
     "säkerhetsfunktion och polis på alla preventionsnivåer; därtill civilsamhället, "
     "trossamfund och ideella organisationer.", ()),
    ("5", "Utbildning", "Höjd kunskapsnivå i de verksamheter som kan beröras.", ()),
    ("6", "Insatser vid oro", "Socialtjänsten erbjuder stöd; polisen kontaktas för bedömning; "
     "vid akut händelse 112.", ()),
    ("7", "Stöd till anhöriga", "Nationella anhörigstöd brukas; kommunen erbjuder eget stöd.", ()),
    ("8", "Stöd till berörda verksamheter", "Kompetensutveckling för berörda förvaltningar.", ()),
    ("9", "Nätverk och kontakter", "Utvecklingen följs lokalt, regionalt, nationellt och "
     "internationellt.", ()),
    ("10", "Metodutveckling", "Insatserna ska fungera och vara evidensbaserade.", ()),
    ("11", "Särskilda insatser", "Lokala brottsförebyggande rådet initierar arbetsgrupper, "
     "rutiner, åtgärdsplaner och utbildning, med kontinuerlig uppföljning.", ()),
)  # fmt: skip

# (section, title, level, owner, days from today to due, status, indicator)
MEASURES: Final = (
    ("5", "Grundutbildning om VBE för skolpersonal och fritidsledare", "general", "buf",
     90,
     "ongoing", "Andel utbildad personal (%)"),
    ("5", "Utbildning för förtroendevalda", "general", "kommunledningskontoret", 150,
     "planned", ""),
    ("3.1", "Demokratiuppdraget i undervisningen", "general", "tyreso-gymnasium", 200,
     "ongoing", ""),
    ("4", "SSPF-gruppen möts varannan vecka", "selective", "socialforvaltningen", 365,
     "ongoing", "Genomförda möten per termin"),
    ("3.2", "Fältgruppens uppsökande arbete i Bollmora och Trollbäcken", "selective",
     "faltgruppen", 120, "ongoing", ""),
    ("6", "Rutin vid oro: orosanmälan och kontakt med polisen", "indicated", "mottagningsenheten",
     -60, "done", ""),
    ("7", "Anhörigstöd i samverkan med den nationella stödlinjen", "indicated", "familjestod", 60,
     "ongoing", ""),
    ("9", "Delta i det regionala nätverket mot VBE", "general", "sakerhetsfunktionen", 300,
     "ongoing", ""),
    ("10", "Följ upp metoderna i Fältgruppens arbete", "selective", "faltgruppen", -20,
     "planned", "Uppföljda metoder"),
    ("11", "BRÅ: arbetsgrupp för rutiner och åtgärdsplan", "general", "bra-tyreso", 30,
     "ongoing", ""),
)  # fmt: skip

# (title, provider, level, days ago, target group, participation per organisation)
TRAININGS: Final = (
    ("Grundutbildning om våldsbejakande extremism", "cve", "general", 80,
     "Skolpersonal och fritidsledare",
     (("buf", 14), ("fritidsgarden-trollbacken", 6), ("faltgruppen", 4))),
    ("Samverkan vid oro för ett barn", "lansstyrelsen", "indicated", 240,
     "Socialsekreterare, skolkuratorer, polis",
     (("mottagningsenheten", 9), ("lpo-nacka", 3), ("tyreso-gymnasium", 5))),
    ("Utbildning för förtroendevalda", "bra", "general", 430, "Förtroendevalda",
     (("kommunstyrelsen", 11),)),
)  # fmt: skip

# (area, level, signal, district, organisation, reports this half-year, reports the one before)
REPORTS: Final = (
    ("school", "general", "propaganda", "bollmora", "tyreso-gymnasium", 5, 3),
    ("school", "selective", "polarisation", "trollbacken", "trollbackens-skola", 4, 4),
    ("leisure", "selective", "recruitment", "bollmora", "fritidsgarden-bollmora", 3, 1),
    ("social_services", "indicated", "relatives", "whole", "mottagningsenheten", 3, 2),
    ("civil_society", "general", "online", "online", "foraldranatverket", 6, 3),
    ("faith", "general", "threats", "tyreso_centrum", "interreligiosa-radet", 2, 0),
    ("leisure", "general", "violence", "krusboda", "fritidsgarden-trollbacken", 1, 3),
)  # fmt: skip


def _org(slug: str) -> uuid.UUID:
    return uuid.UUID(_org_id(slug))


async def load_demo_plan(today: dt.date | None = None) -> int:
    """Load the plan cycle's demo through the ordinary services; returns the rows made."""
    today = today or dt.date.today()
    plan = await measures.draft_plan(
        _ADMIN,
        PlanIn(
            title="Handlingsplan mot våldsbejakande extremism",
            sections=[
                SectionIn(number=number, title=title, body=body, goals=list(goals))
                for number, title, body, goals in SECTIONS
            ],
        ),
    )
    await measures.adopt_plan(_ADMIN, plan.id, dt.date(2016, 10, 12))
    section_of = {section.number: section.id for section in plan.sections}
    made = 1
    for number, title, level, owner, due, status, indicator in MEASURES:
        measure = await measures.create_measure(
            _ADMIN,
            MeasureIn(
                plan_id=plan.id,
                section_id=section_of[number],
                title=title,
                level=level,
                owner_organization_id=_org(owner),
                due_date=today + dt.timedelta(days=due),
                status=cast(MeasureStatus, status),
                indicator=indicator,
            ),
        )
        if indicator:
            for months_ago, value in ((12, 20.0), (6, 35.0), (1, 55.0)):
                await measures.record_value(
                    _ADMIN,
                    measure.id,
                    IndicatorValueIn(
                        measured_on=today - dt.timedelta(days=30 * months_ago), value=value
                    ),
                )
        made += 1
    for title, provider, level, days_ago, group, taking_part in TRAININGS:
        training = await trainings.create_training(
            _ADMIN,
            TrainingIn(
                title=title,
                level=level,
                held_on=today - dt.timedelta(days=days_ago),
                provider_organization_id=_org(provider),
                target_group=group,
            ),
        )
        await trainings.record_participation(
            _ADMIN,
            training.id,
            [
                ParticipationIn(organization_id=_org(slug), participants=n)
                for slug, n in taking_part
            ],
        )
        made += 1
    period = current_period(today)
    for area, level, signal, district, slug, now, before in REPORTS:
        for when, times in ((period, now), (observations.previous_period(period), before)):
            for index in range(times):
                await observations.report_observation(
                    _ADMIN,
                    ObservationIn(
                        period=when,
                        area=area,
                        level=level,
                        signal=signal,
                        frequency=("single", "several", "recurring")[index % 3],
                        district=district,
                        organization_id=_org(slug),
                    ),
                )
                made += 1
    return made
