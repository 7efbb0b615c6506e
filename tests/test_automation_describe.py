"""``describe`` says each trigger and action with what it names, table-driven: a rule's JSON
and the names of its parts in, its lines out; a part missing from the names was deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiogram.utils.i18n import I18n

from bot.i18n import build_i18n
from handlers.automation.rule_texts import describe

NAMES = {
    "stage": {"5": "Meeting", "6": "Contract"},
    "template": {"9": "Offer"},
    "record_type": {"3": "🏭 Suppliers"},
    "member": {"701": "Mila", "702": "Oleg", "703": "Ann", "704": "Boris", "705": "Vera"},
    "status": {"warm": "🌤 warm"},
}
FIELDS = {
    "custom.11": {"name": "Paid", "type": "yes_no"},
    "custom.12": {"name": "Contract end", "type": "date"},
    "custom.13": {"name": "Tier", "type": "text"},
}
TASK = {"type": "create_task", "title": "Call back"}


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return build_i18n("ru")


@pytest.fixture
def english(i18n: I18n) -> Iterator[None]:
    with i18n.context(), i18n.use_locale("en"):
        yield


def lines(trigger: str, params: dict[str, Any], *actions: dict[str, Any], **more: Any) -> list[str]:
    rule = {"trigger": trigger, "params": params, "actions": list(actions), **more}
    return describe({"names": NAMES, "fields": FIELDS, **rule})


@pytest.mark.parametrize(
    ("trigger", "params", "said"),
    [
        ("client_created", {}, "When: a client is created"),
        ("client_created", {"source": "website"}, "When: a client from «website» is created"),
        ("deal_entered_stage", {"stage_id": 5}, "When: a deal enters «Meeting»"),
        ("deal_entered_stage", {"stage_id": 99}, "When: a deal enters «deleted stage»"),
        ("deal_entered_stage", {}, "When: ➡️ A deal enters a stage"),  # not chosen yet
        ("deal_won", {}, "When: a deal is won"),
        ("deal_lost", {}, "When: a deal is lost"),
        ("deal_stale", {"days": 7}, "When: a deal stays on its stage 7 days"),
        ("deal_stale", {"days": 1, "stage_id": 6}, "When: a deal stays on «Contract» 1 day"),
        ("task_overdue", {"hours": 1}, "When: a task is overdue 1 hour"),
        ("task_overdue", {"hours": 48}, "When: a task is overdue 48 hours"),
        ("field_changed", {"field": "client.status"}, "When: the client's status changes"),
        (
            "field_changed",
            {"field": "client.status", "value": "warm"},
            "When: the status changes to 🌤 warm",
        ),
        (
            "field_changed",
            {"field": "client.status", "value": "hot"},  # built-in, not in the names
            "When: the status changes to 🔥 hot",
        ),
        ("field_changed", {"field": "custom.11", "value": "да"}, "When: «Paid» changes to yes"),
        ("field_changed", {"field": "custom.13"}, "When: «Tier» changes"),
        ("field_changed", {"field": "custom.77"}, "When: «deleted field» changes"),
        ("field_changed", {"field": "deal.amount"}, "When: deal.amount changes"),
        ("date_approaching", {"field_id": 12, "days": 3}, "When: 3 days before «Contract end»"),
        ("date_approaching", {"field_id": 12, "days": 0}, "When: on the day of «Contract end»"),
        ("record_created", {"type_id": 3}, "When: a new card in «🏭 Suppliers»"),
        ("record_created", {"type_id": 4}, "When: a new card in «deleted record type»"),
    ],
)
@pytest.mark.usefixtures("english")
def test_each_trigger_says_what_it_waits_for(
    trigger: str, params: dict[str, Any], said: str
) -> None:
    assert lines(trigger, params, TASK)[0] == said


@pytest.mark.usefixtures("english")
def test_a_custom_field_trigger_not_yet_chosen_reads_as_its_kind() -> None:
    draft = {"trigger": "field_changed", "shown": "custom_changed", "params": {}}
    assert describe(draft) == ["When: 🧩 A custom field changes"]


@pytest.mark.parametrize(
    ("action", "said"),
    [
        (
            {**TASK, "due_minutes": 15, "assignee": "responsible", "priority": "high"},
            "create the task «Call back» due in 15 minutes, for the responsible, high priority",
        ),
        (
            {**TASK, "due_minutes": 120, "assignee": "actor"},
            "create the task «Call back» due in 2 hours, for who set it off",
        ),
        (
            {**TASK, "due_minutes": 24 * 60},  # no assignee: the responsible
            "create the task «Call back» due in 1 day, for the responsible",
        ),
        (
            {**TASK, "due_minutes": 0, "due": "next_workday", "assignee": 701},
            "create the task «Call back» due at 10:00 the next working day, for Mila",
        ),
        (
            {**TASK, "due_minutes": 0, "assignee": 999},
            "create the task «Call back» due right away, for deleted member",
        ),
        (
            {**TASK, "title": "Call back and ask about the second delivery of the order"},
            "create the task «Call back and ask about the second deli…» due right away, "
            "for the responsible",
        ),
        ({"type": "notify", "to": "responsible", "text": "Hi"}, "tell the responsible: «Hi»"),
        ({"type": "notify", "to": "owner", "text": "Hi"}, "tell the owner: «Hi»"),
        ({"type": "notify", "to": "group", "text": "Hi"}, "write to the team's group: «Hi»"),
        ({"type": "move_stage", "stage_id": 6}, "move the deal to «Contract»"),
        ({"type": "move_stage", "stage_id": 99}, "move the deal to «deleted stage»"),
        ({"type": "set_status", "status": "warm"}, "set the status 🌤 warm"),
        ({"type": "add_tag", "tag": "vip"}, "add the tag #vip"),
        ({"type": "remove_tag", "tag": "vip"}, "remove the tag #vip"),
        ({"type": "round_robin", "members": [701, 702]}, "assign in turn: Mila, Oleg"),
        (
            {"type": "round_robin", "members": [701, 702, 703, 704, 705]},
            "assign in turn: Mila, Oleg, Ann, Boris, …",
        ),
        ({"type": "prepare_template", "template_id": 9}, "prepare the template «Offer»"),
        ({"type": "prepare_template", "template_id": 8}, "prepare the template «deleted template»"),
        ({"type": "set_field", "field_id": 11, "value": "да"}, "set «Paid» to yes"),
        ({"type": "set_field", "field_id": 13, "value": "gold"}, "set «Tier» to gold"),
        ({"type": "set_field", "field_id": 77, "value": "gold"}, "set «deleted field» to gold"),
    ],
)
@pytest.mark.usefixtures("english")
def test_each_action_says_what_it_does(action: dict[str, Any], said: str) -> None:
    assert lines("deal_won", {}, action)[-1] == f"Do: {said}"


@pytest.mark.parametrize(
    ("delay", "said"),
    [
        ({"kind": "now"}, None),
        ({"kind": "after", "minutes": 60}, "Acts: in 1 hour"),
        ({"kind": "after", "minutes": 15}, "Acts: in 15 minutes"),
        ({"kind": "next_workday"}, "Acts: at 10:00 the next working day"),
    ],
)
@pytest.mark.usefixtures("english")
def test_a_delay_is_said_after_the_actions(delay: dict[str, Any], said: str | None) -> None:
    found = lines("deal_won", {}, {"type": "add_tag", "tag": "vip"}, delay=delay)
    assert found[-1] == (said or "Do: add the tag #vip")


@pytest.mark.usefixtures("english")
def test_several_actions_and_conditions_share_their_lines() -> None:
    move = {"type": "move_stage", "stage_id": 6}
    told = {"type": "notify", "to": "responsible", "text": "Moved"}
    task = {**TASK, "due_minutes": 24 * 60}
    conditions = [
        {"field": "status", "op": "eq", "value": "warm"},
        {"field": "custom.13", "op": "eq", "value": "gold"},
        {"field": "custom.77", "op": "eq", "value": "x"},
    ]
    found = lines("deal_entered_stage", {"stage_id": 5}, task, move, told, conditions=conditions)
    assert found == [
        "When: a deal enters «Meeting»",
        "Only if: Status is 🌤 warm; Tier is gold; «deleted field» is x",
        "Do:",
        "• create the task «Call back» due in 1 day, for the responsible",
        "• move the deal to «Contract»",
        "• tell the responsible: «Moved»",
    ]


@pytest.mark.parametrize(
    ("params", "action", "said"),
    [
        (
            {"days": 1, "stage_id": 5},
            {**TASK, "due_minutes": 24 * 60},
            [
                "Когда: сделка стоит на этапе «Meeting» 1 день",
                "Действия: создать задачу «Call back», срок через 1 день, ответственному",
            ],
        ),
        (
            {"days": 3},
            {**TASK, "due_minutes": 3 * 60, "assignee": 702},
            [
                "Когда: сделка стоит на своём этапе 3 дня",
                "Действия: создать задачу «Call back», срок через 3 часа, исполнитель: Oleg",
            ],
        ),
        (
            {"days": 21, "stage_id": 99},
            {"type": "move_stage", "stage_id": 99},
            [
                "Когда: сделка стоит на этапе «удалённый этап» 21 день",
                "Действия: перевести сделку на этап «удалённый этап»",
            ],
        ),
    ],
)
def test_in_russian_with_its_plural_forms(
    i18n: I18n, params: dict[str, Any], action: dict[str, Any], said: list[str]
) -> None:
    with i18n.context(), i18n.use_locale("ru"):
        assert lines("deal_stale", params, action) == said
