"""Method follow-up (§10): the evidence base of a directory service's method and the results
recorded for it; a measure carries its own evidence fields."""

from __future__ import annotations

import uuid

import msgspec

from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import NotFound
from directory.core.validation import check_url
from directory.plan.access import require_reader, require_writer
from directory.plan.schemas import EvidenceIn, EvidenceOut
from directory.plan.tables import ServiceEvidence
from directory.records.tables import Service


async def get_evidence(principal: Principal, service_id: uuid.UUID) -> EvidenceOut:
    require_reader(principal)
    if not await Service.exists().where(Service.id == service_id):
        raise NotFound("service", str(service_id))
    row = await ServiceEvidence.select().where(ServiceEvidence.service_id == service_id).first()
    if row is None:
        return EvidenceOut(service_id=service_id)
    return EvidenceOut(
        service_id=service_id, url=row["url"], note=row["note"], results=row["results"]
    )


async def set_evidence(
    principal: Principal, service_id: uuid.UUID, data: EvidenceIn
) -> EvidenceOut:
    require_writer(principal)
    previous = await get_evidence(principal, service_id)
    check_url("url", data.url)
    async with transaction():
        await ServiceEvidence.delete().where(ServiceEvidence.service_id == service_id)
        await ServiceEvidence.insert(
            ServiceEvidence(id=uuid.uuid4(), service_id=service_id, **msgspec.structs.asdict(data))
        )
        await log_change(
            principal,
            "update",
            "service_evidence",
            service_id,
            msgspec.to_builtins(previous),
            msgspec.to_builtins(data),
        )
    return await get_evidence(principal, service_id)
