from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from civic.consultations.schemas import ResponseIn
from civic.ideas.schemas import IdeaIn

_Short = Annotated[str, msgspec.Meta(max_length=1000)]


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who the contribution is for, as staff took it down."""

    agency: int
    channel: str = ""
    person_name: _Short = ""
    person_contact: _Short = ""
    consent: bool = False
    national_id: Annotated[str, msgspec.Meta(max_length=100)] = ""


class AssistedIdeaIn(msgspec.Struct, forbid_unknown_fields=True):
    person: PersonIn
    idea: IdeaIn


class AssistedSupportIn(msgspec.Struct, forbid_unknown_fields=True):
    person: PersonIn
    idea_id: int


class AssistedAnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    person: PersonIn
    consultation_id: int
    response: ResponseIn


class AssistedOut(msgspec.Struct):
    """What staff hand the person: the code (shown once) and until when it works."""

    id: int
    kind: str
    target_id: int
    contribution_id: int
    code: str
    code_expires_at: datetime


class TakeOverIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=100)] = ""


class TakenOver(msgspec.Struct):
    kind: str
    target_id: int
    contribution_id: int
