"""The team's own kinds of card: suppliers, products, documents… (rows, never tables).

The owner creates a type with a singular and a plural name and an emoji, or
takes a starter type with one tap. A type that has records cannot be deleted
(the refusal says how many); it can be archived instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.cards import CardKind
from crm.clock import Clock
from crm.defs_cache import DefsCache
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.field_defs import FieldDefs
from crm.field_rules import clean_name
from crm.parsing.fields import FieldType
from crm.parsing.search_text import fold, shows
from crm.team_settings import can_change_settings
from storage.engine import write_transaction
from storage.models import AppSetting, Record, RecordType, User

MAX_TYPES = 30
MAX_TYPE_NAME = 60
MAX_EMOJI = 8
SKIPPED_KEY = "record_starters_skipped"


@dataclass(frozen=True)
class StarterField:
    names: tuple[str, str]  # ru, en
    type: FieldType
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Starter:
    code: str
    emoji: str
    singular: tuple[str, str]
    plural: tuple[str, str]
    fields: tuple[StarterField, ...]


T = FieldType
STARTERS = (
    Starter(
        "suppliers",
        "🏭",
        ("Поставщик", "Supplier"),
        ("Поставщики", "Suppliers"),
        (
            StarterField(("Телефон", "Phone"), T.PHONE),
            StarterField(("Email", "Email"), T.EMAIL),
            StarterField(("Сайт", "Website"), T.URL),
        ),
    ),
    Starter(
        "products",
        "📦",
        ("Товар", "Product"),
        ("Товары", "Products"),
        (
            StarterField(("Цена", "Price"), T.MONEY),
            StarterField(("Артикул", "SKU"), T.TEXT),
        ),
    ),
    Starter(
        "documents",
        "📄",
        ("Документ", "Document"),
        ("Документы", "Documents"),
        (
            StarterField(("Номер", "Number"), T.TEXT),
            StarterField(("Дата", "Date"), T.DATE),
            StarterField(
                ("Вид", "Kind"),
                T.CHOICE,
                (("Договор", "Contract"), ("Счёт", "Invoice"), ("Акт", "Act")),
            ),
        ),
    ),
    Starter(
        "logistics",
        "🚚",
        ("Транспортная компания", "Logistics company"),
        ("Транспортные компании", "Logistics companies"),
        (
            StarterField(("Телефон", "Phone"), T.PHONE),
            StarterField(("Сайт", "Website"), T.URL),
        ),
    ),
)
STARTER_CODES = tuple(starter.code for starter in STARTERS)


def clean_emoji(emoji: str | None) -> str:
    text = "".join((emoji or "").split())
    if not text:
        return "📁"
    if not shows(text):  # a paste of marks is no emoji, nor a wish for the default one
        raise InvalidInput(ErrorCode.EMPTY, field="emoji")
    if len(text) > MAX_EMOJI or any(char.isalnum() for char in text):
        raise InvalidInput(ErrorCode.BAD_EMOJI)
    return text


class RecordTypes:
    def __init__(
        self, session: AsyncSession, clock: Clock, fields: FieldDefs, cache: DefsCache
    ) -> None:
        self._session = session
        self._clock = clock
        self._fields = fields
        self._cache = cache

    async def all(self, include_archived: bool = False) -> list[RecordType]:
        query = select(RecordType).order_by(RecordType.position, RecordType.id)
        if not include_archived:
            query = query.where(RecordType.archived_at.is_(None))
        return list(await self._session.scalars(query))

    async def listed(self) -> list[RecordType]:
        """The types in use, in the owner's order, from the process's copy (see DefsCache):
        for texts such as /help, read only."""
        types = (await self._cache.get(self._session)).types.values()
        return sorted((t for t in types if t.archived_at is None), key=lambda t: (t.position, t.id))

    async def shown(self) -> Mapping[int, RecordType]:
        """Every type by id, archived ones too, from the process's copy (see DefsCache),
        for the cards: read only."""
        return (await self._cache.get(self._session)).types

    async def get(self, type_id: int) -> RecordType:
        found = await self._session.get(RecordType, type_id)
        if found is None:
            raise NotFound(ErrorCode.RECORD_TYPE_GONE)
        return found

    async def create(
        self, actor: User, singular: str, plural: str, emoji: str | None = None
    ) -> RecordType:
        self._require_owner(actor)
        one = clean_name(singular, MAX_TYPE_NAME, "type_name")
        many = clean_name(plural, MAX_TYPE_NAME, "type_name")
        icon = clean_emoji(emoji)
        async with self._cache.changing(self._session):
            return await self._add(actor, one, many, icon, None)

    async def rename(
        self, actor: User, type_id: int, singular: str, plural: str, emoji: str | None = None
    ) -> RecordType:
        """New names, and a new emoji when one is given (None: the emoji stays)."""
        self._require_owner(actor)
        one = clean_name(singular, MAX_TYPE_NAME, "type_name")
        many = clean_name(plural, MAX_TYPE_NAME, "type_name")
        icon = None if emoji is None else clean_emoji(emoji)
        async with self._cache.changing(self._session):
            record_type = await self.get(type_id)
            await self.check_names(one, many, except_id=type_id)
            record_type.singular, record_type.plural = one, many
            record_type.emoji = icon or record_type.emoji
            return record_type

    async def set_emoji(self, actor: User, type_id: int, emoji: str) -> RecordType:
        self._require_owner(actor)
        icon = clean_emoji(emoji)
        async with self._cache.changing(self._session):
            record_type = await self.get(type_id)
            record_type.emoji = icon
            return record_type

    async def set_archived(self, actor: User, type_id: int, archived: bool) -> RecordType:
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            record_type = await self.get(type_id)
            record_type.archived_at = self._clock.now() if archived else None
            return record_type

    async def count_records(self, type_id: int) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(Record).where(Record.type_id == type_id)
        )
        return int(count or 0)

    async def delete(self, actor: User, type_id: int) -> None:
        """Delete an empty type with its fields; refused with the count when it has records."""
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            record_type = await self.get(type_id)
            count = await self.count_records(type_id)
            if count:
                raise Conflict(ErrorCode.TYPE_HAS_RECORDS, count=count)
            await self._session.delete(record_type)
            await self._session.flush()
            events.record(
                self._session,
                self._clock,
                "record_type_deleted",
                actor.id,
                data={"type_id": type_id, "name": record_type.plural},
            )

    # --- starter types ---------------------------------------------------------------

    async def starters_offered(self) -> list[Starter]:
        """Starter types neither taken nor skipped yet, to offer on first use."""
        taken = set(
            await self._session.scalars(
                select(RecordType.starter).where(RecordType.starter.is_not(None))
            )
        )
        skipped = await self._skipped()
        return [s for s in STARTERS if s.code not in taken and s.code not in skipped]

    async def take_starter(self, actor: User, code: str) -> RecordType:
        self._require_owner(actor)
        starter = next((s for s in STARTERS if s.code == code), None)
        if starter is None:
            raise InvalidInput(ErrorCode.NO_SUCH_STARTER)
        lang = 1 if actor.language == "en" else 0
        async with self._cache.changing(self._session):
            taken = await self._session.scalar(
                select(RecordType.id).where(RecordType.starter == code).limit(1)
            )
            if taken is not None:
                raise Conflict(ErrorCode.STARTER_TAKEN)
            record_type = await self._add(
                actor, starter.singular[lang], starter.plural[lang], starter.emoji, code
            )
            for field in starter.fields:
                await self._fields.add(
                    CardKind.RECORD,
                    field.names[lang],
                    field.type,
                    record_type.id,
                    False,
                    [option[lang] for option in field.options],
                )
            return record_type

    async def skip_starter(self, actor: User, code: str) -> None:
        self._require_owner(actor)
        if code not in STARTER_CODES:
            raise InvalidInput(ErrorCode.NO_SUCH_STARTER)
        async with write_transaction(self._session):
            skipped = sorted(await self._skipped() | {code})
            await self._session.merge(AppSetting(key=SKIPPED_KEY, value={"codes": skipped}))

    # --- helpers ---------------------------------------------------------------------

    async def _add(
        self, actor: User, singular: str, plural: str, emoji: str, starter: str | None
    ) -> RecordType:
        types = await self.all(include_archived=True)
        if len(types) >= MAX_TYPES:
            raise InvalidInput(ErrorCode.TOO_MANY_TYPES, limit=MAX_TYPES)
        await self.check_names(singular, plural)
        record_type = RecordType(
            singular=singular,
            plural=plural,
            emoji=emoji,
            starter=starter,
            position=max((t.position for t in types), default=-1) + 1,
            created_at=self._clock.now(),
        )
        self._session.add(record_type)
        await self._session.flush()
        events.record(
            self._session,
            self._clock,
            "record_type_created",
            actor.id,
            data={"type_id": record_type.id, "name": plural},
        )
        return record_type

    async def check_names(self, *names: str, except_id: int | None = None) -> None:
        """Refuse a name another type (not ``except_id``) has as its singular or plural."""
        wanted = {fold(name) for name in names}
        for other in await self.all(include_archived=True):
            if other.id != except_id and wanted & {fold(other.singular), fold(other.plural)}:
                raise InvalidInput(ErrorCode.TYPE_NAME_TAKEN, name=other.plural)

    async def _skipped(self) -> set[str]:
        setting = await self._session.get(AppSetting, SKIPPED_KEY)
        return set(setting.value.get("codes", [])) if setting else set()

    @staticmethod
    def _require_owner(actor: User) -> None:
        if not can_change_settings(actor):
            raise NotAllowed()
