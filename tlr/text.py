"""Bilingual text: every human-readable field is a plain string or ``{zh: ..., en: ...}``."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Lang = Literal["zh", "en"]


class I18nText(BaseModel):
    """Text in Chinese and/or English. At least one language must be given."""

    # JSON Schema: at least one non-empty language, as _one_language requires
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"anyOf": [
        {"required": ["zh"], "properties": {"zh": {"type": "string", "minLength": 1}}},
        {"required": ["en"], "properties": {"en": {"type": "string", "minLength": 1}}}]})

    zh: str | None = Field(None, description="中文 / Chinese text")
    en: str | None = Field(None, description="英文 / English text")

    @model_validator(mode="after")
    def _one_language(self) -> "I18nText":
        if not (self.zh or self.en):
            raise ValueError("give at least one of 'zh' or 'en'")
        return self


Text = Union[str, I18nText]


def tr(text: Text | None, lang: Lang = "zh") -> str:
    """Render *text* in *lang*, falling back to the other language; ``''`` for ``None``."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if lang == "zh":
        return text.zh or text.en or ""
    return text.en or text.zh or ""


def both(text: Text | None) -> str:
    """``'中文 / English'`` when both languages differ, else the one that exists."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if text.zh and text.en and text.zh != text.en:
        return f"{text.zh} / {text.en}"
    return text.zh or text.en or ""


def pick(table: dict[str, tuple[str, str]], lang: Lang = "zh") -> dict[str, str]:
    """A string table of ``key -> (中文, English)`` in one language (``zh``; anything else: English)."""
    k = 0 if lang == "zh" else 1
    return {key: pair[k] for key, pair in table.items()}
