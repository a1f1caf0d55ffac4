"""The "Vid oro" card: the plan's guidance for someone who is concerned, as data an admin edits."""

from piccolo.columns import UUID, Integer, Text, Varchar
from piccolo.table import Table


class GuidanceSection(Table, tablename="guidance_section"):
    """One step of the card, in Swedish and English.

    ``directory_area`` names an area code whose services and function contacts the card lists
    under the step (e.g. the municipality's social services); ``directory_kind`` narrows that to
    organisations of one kind (``internal`` for the municipality's own units).
    """

    id = UUID(primary_key=True)
    position = Integer(default=0)
    heading_sv = Varchar(length=200)
    heading_en = Varchar(length=200)
    body_sv = Text(default="")
    body_en = Text(default="")
    phone = Varchar(length=40, default="")
    directory_area = Varchar(length=60, default="")
    directory_kind = Varchar(length=30, default="")
