"""Doing a firing's actions, inside the transaction that marks it done.

Changes are written directly (the use cases open transactions of their own),
each with the event the same change made by a person writes, so reports and
timelines read them the same way; they set off further rules through
``triggers.on_event`` with the chain the runner put in place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, groups, outbox, placeholders, template_values
from crm.automation import assignees, custom_fields, moved_on, round_robin, triggers
from crm.automation.conditions import Record
from crm.automation.rules import due_after
from crm.cards import CardKind, CardRef
from crm.clock import Clock
from crm.config import TeamReading
from crm.errors import InvalidInput
from crm.event_data import StatusChanged, stage_move
from crm.events import EventKind
from crm.field_values import refresh_search
from crm.parsing.search_text import one_line
from crm.tasks import PRIORITIES
from storage.models import (
    AutomationFiring,
    AutomationRule,
    Client,
    ClientTag,
    GroupChat,
    RecordType,
    Stage,
    Task,
    Template,
    User,
)


class Skipped(Exception):
    """An action that cannot be done any more (a stage or member gone), raised before it
    writes anything: noted, the firing's other actions done (``skips``), not retried."""


class Actions:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        rule: AutomationRule,
        firing: AutomationFiring,
        record: Record,
        values: dict[str, str | None],
        region: str = "RU",
        task_ids: Callable[[], int | None] = lambda: None,
        *,
        reading: TeamReading,
        moved_before: bool = False,
    ) -> None:
        self._session = session
        self._moved_before = moved_before  # ``moved_on.before_the_batch``
        self._reading = reading  # a prepared template's values read in it
        self._task_ids, self._clock = task_ids, clock
        self._rule, self._firing, self._record = rule, firing, record
        self._values, self._region = values, region
        # Tasks made, each with its line in ``done`` (their ids are known after a flush).
        self.created: list[tuple[Task, dict[str, Any]]] = []
        self._moved = False  # this firing moved the deal: its own move is no one else's

    async def do(self, action: dict[str, Any], number: int) -> dict[str, Any]:
        """Do one action; returns what was done, for the timeline."""
        kind = str(action.get("type"))
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise Skipped(kind)
        if moved_on.about_the_stage(self._rule, kind) and self._moved_before:
            raise Skipped("moved since")  # a late task or message for a deal that moved on
        done: dict[str, Any] = await handler(action, number)
        done["type"] = kind
        return done

    async def _create_task(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        now = self._clock.now()
        title = placeholders.fill(str(action["title"]), self._values)[:500] or "…"
        due_at = now + timedelta(minutes=int(action.get("due_minutes") or 0))
        if action.get("due") == "next_workday":  # at 10:00 the team's next working day
            tz = str(self._rule.state.get("tz") or triggers.DEFAULT_TIMEZONE)
            due_at = due_after({"kind": "next_workday"}, now, tz)
        assignee = await self._member(action.get("assignee", "responsible"))
        priority = str(action.get("priority") or "normal")
        deal = self._record.deal
        task = Task(
            id=self._task_ids(),
            title=title,
            due_at=due_at,
            remind_at=due_at,
            priority=priority if priority in PRIORITIES else "normal",
            assignee_id=assignee.id,
            client_id=self._record.client_id,
            deal_id=deal.id if deal is not None else None,
            record_id=self._record.team.id if self._record.team is not None else None,
            created_by=None,
            created_at=now,
        )
        self._session.add(task)
        entry: dict[str, Any] = {"title": title, "due_at": due_at.isoformat()}
        self.created.append((task, entry))
        return entry

    async def _notify(self, action: dict[str, Any], number: int) -> dict[str, Any]:
        text = placeholders.fill(str(action["text"]), self._values)
        to = str(action.get("to"))
        if to == "group":
            chats = list(await self._session.scalars(select(GroupChat.chat_id)))
            if not chats:  # never bound, or unbound since: told to no one is not "done"
                raise Skipped("no group chat")
        elif to == "owner":
            chats = await assignees.owners(self._session)
        else:
            chats = [(await self._member("responsible")).id]
        payload: dict[str, Any] = {"text": text}
        team = self._record.team
        if team is not None:  # a card of the team's own type: no {client.name} to name it
            of_type = await self._session.get(RecordType, team.type_id)
            payload |= {"record_id": team.id, "card": team.title}
            payload["emoji"] = of_type.emoji if of_type is not None else "📁"
        await self._tell(chats, outbox.OutboxKind.AUTOMATION_NOTICE, payload, number)
        return {"to": to, "text": text}

    async def _set_status(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        client = self._client()
        new = str(action["status"])
        old = client.status
        if old != new:
            client.status = new
            changed = StatusChanged(old=old, new=new)
            await self._event(EventKind.STATUS_CHANGED, client_id=client.id, data=changed)
        return {"status": new}

    async def _add_tag(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        # (A rule saved before tags were checked for showing anything may hold such a tag.)
        tag = one_line(str(action["tag"]).strip().lstrip("#")).lower()[:64]
        if tag and tag not in self._record.tags:
            client = self._client()
            self._session.add(ClientTag(client_id=client.id, tag=tag))
            self._record.tags.append(tag)
            await refresh_search(self._session, CardRef(CardKind.CLIENT, client.id), client)
        return {"tag": tag}

    async def _remove_tag(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        tag = one_line(str(action["tag"]).strip().lstrip("#")).lower()
        client = self._client()
        await self._session.execute(
            delete(ClientTag).where(ClientTag.client_id == client.id, ClientTag.tag == tag)
        )
        if tag in self._record.tags:
            self._record.tags.remove(tag)
            await refresh_search(self._session, CardRef(CardKind.CLIENT, client.id), client)
        return {"tag": tag}

    async def _move_stage(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        deal = self._record.deal
        if deal is None:
            raise Skipped("no deal")
        target = await self._session.get(Stage, int(action["stage_id"]))
        if target is None or target.pipeline_id != deal.pipeline_id or target.kind == "lost":
            raise Skipped("stage gone")
        if target.id == deal.stage_id:
            return {"stage": target.name or target.code, "already": True}
        if self._moved_since():  # won, lost or moved on by someone since: theirs stays
            raise Skipped("moved since")
        self._moved = True
        source = await self._session.get(Stage, deal.stage_id)
        assert source is not None  # a stage is deleted only once its deals are moved
        now = self._clock.now()
        data = stage_move(source, target)
        data.update({"amount": deal.amount_minor, "currency": deal.currency})
        data["rule_id"] = self._rule.id
        deal.stage_id, deal.stage_changed_at, deal.lost_reason = target.id, now, None
        if target.kind == "open":
            kind = EventKind.DEAL_REOPENED if source.kind != "open" else EventKind.STAGE_CHANGED
            deal.closed_at = None
        else:  # won: news for the group chat, as when a member wins it
            kind, deal.closed_at = EventKind.DEAL_WON, now
            await groups.announce_closed(self._session, now, deal, True, None)
        await self._event(kind, client_id=deal.client_id, deal_id=deal.id, data=data)
        return {"stage": target.name or target.code}

    async def _round_robin(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        await self._session.flush()  # the turns taken so far in this batch
        await self._session.refresh(self._rule, with_for_update={"key_share": True})  # a turn each
        wanted = [int(m) for m in action.get("members") or []]
        if self._record.deal is None and self._record.team is None:
            self._client()  # a card with nothing to give is skipped
        turn = int(self._rule.state.get("rr", 0))
        try:
            user, turn = await round_robin.choose(self._session, self._record, wanted, turn)
        except round_robin.NoOne as reason:
            raise Skipped(str(reason)) from None
        self._rule.state = {**self._rule.state, "rr": turn}
        await round_robin.give(self._session, self._clock, self._record, user.id)
        return {"member": user.id, "name": user.full_name}

    async def _prepare_template(self, action: dict[str, Any], number: int) -> dict[str, Any]:
        template = await self._session.get(Template, int(action["template_id"]))
        if template is None:
            raise Skipped("template gone")
        client, deal = self._client(), self._record.deal
        reader = await self._member("responsible")
        # In the reader's words, as "📨 Fill it again" (``Templates.check``) fills it for them.
        values = await template_values.for_reader(
            self._session,
            template.placeholders,
            client=client,
            deal=deal,
            reader=reader,
            reading=self._reading,
            now=self._clock.now(),
        )
        payload: dict[str, Any] = {
            "template": template.name,
            "template_id": template.id,
            "docx": template.kind == "docx",
            "client_id": client.id,
            "deal_id": deal.id if deal else None,
            "text": placeholders.fill(template.body or "", values),
            "phone": values.get("client.phone"),
            "missing": placeholders.missing(template.placeholders, values),
        }
        await self._tell([reader.id], outbox.OutboxKind.AUTOMATION_TEMPLATE, payload, number)
        return {"template": template.name}

    async def _set_field(self, action: dict[str, Any], _number: int) -> dict[str, Any]:
        try:
            field = await custom_fields.card_field(self._session, action.get("field_id"))
        except InvalidInput as error:
            raise Skipped("field gone") from error
        card = self._record.deal if field.kind == CardKind.DEAL else self._client()
        if card is None:
            raise Skipped("no deal")
        value, now = str(action.get("value", "")), self._clock.now()
        try:
            old, new = await custom_fields.write(
                self._session, field, card, value, self._region, now
            )
        except InvalidInput as error:
            raise Skipped("value does not fit") from error
        if old != new:
            data = {"field_id": field.id, "field": field.name, "type": field.type}
            await self._event(
                "custom_field_changed",
                client_id=self._record.client_id,
                deal_id=card.id if field.kind == CardKind.DEAL else None,
                data={**data, "old": old, "new": new, "rule_id": self._rule.id},
            )
        return {"field": field.name, "value": new}

    # --- helpers ---------------------------------------------------------------------

    def _moved_since(self) -> bool:
        return moved_on.since(self._firing, self._record.deal, by_itself=self._moved)

    def _client(self) -> Client:
        """The firing's client; a card of the team's own type has none (skipped)."""
        if self._record.client is None:
            raise Skipped("no client")
        return self._record.client

    async def _member(self, who: object) -> User:
        """A member for "responsible", "actor" or an id (``assignees.member``)."""
        try:
            firing, record, rule = self._firing, self._record, self._rule
            return await assignees.member(self._session, who, firing, record, rule)
        except assignees.NoOne:
            raise Skipped("no one to do it") from None
        except assignees.Unseen:
            raise Skipped("assignee cannot see the card") from None

    async def _tell(
        self, chats: list[int], kind: outbox.OutboxKind, payload: dict[str, Any], number: int
    ) -> None:
        now = self._clock.now()
        for chat_id in chats:
            await outbox.enqueue(
                self._session,
                chat_id=chat_id,
                kind=kind,
                payload={"rule": self._rule.name, **payload},
                dedupe_key=f"automation:{self._firing.id}:{number}:{chat_id}",
                now=now,
            )

    async def _event(self, kind: EventKind | str, **where: Any) -> None:
        event = events.record(self._session, self._clock, kind, None, **where)
        await triggers.on_event(self._session, self._clock, event)
