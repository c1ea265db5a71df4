"""Field types and checks shared by the request models of the HTTP API: text every database can store, times
normalised to UTC, the complaint-text length limit, and the base of request bodies that refuse unknown fields."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.errors import Invalid


def storable(value: str | None) -> str | None:
    """Text every database can store: no NUL characters, valid Unicode (no lone surrogates)."""
    if value is None:
        return value
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (lone surrogate found)") from None
    return value


def check_text_length(text: str, limit: int, loc: list) -> None:
    """A complaint or answer text is at most ``limit`` characters: the ``max_text_chars`` setting
    (``LAPOR_MAX_TEXT_CHARS``), the same limit the batch commands apply. A longer one is refused (422)."""
    if len(text) > limit:
        raise Invalid("string_too_long", f"text: teks paling panjang {limit:,} karakter (LAPOR_MAX_TEXT_CHARS); "
                                         f"yang dikirim {len(text):,} karakter.".replace(",", "."), loc)


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


def aware(value: datetime | None) -> datetime | None:
    """Naive means UTC; everything is normalised to UTC."""
    if value is None:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("date is out of range once converted to UTC") from None


SafeStr = Annotated[str, AfterValidator(storable)]
ShortStr = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(storable)]
UtcDatetime = Annotated[datetime, AfterValidator(aware)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


UnitName = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(storable), AfterValidator(not_blank)]
