"""What a new team tripped over in its first week (issue 10), fixed in the CRM core and parsers."""

from __future__ import annotations

import pytest

from bot.app import App
from crm.errors import Conflict, InvalidInput
from crm.members import normalize_timezone
from crm.parsing.timezones import parse_timezone
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("asia/novosibirsk", "Asia/Novosibirsk"),
        ("Новосибирск", "Asia/Novosibirsk"),
        ("екатеринбург", "Asia/Yekaterinburg"),
        ("Almaty", "Asia/Almaty"),
        ("Санкт-Петербург", "Europe/Moscow"),
        ("санкт петербург", "Europe/Moscow"),
        ("UTC+5", "Etc/GMT-5"),
        ("utc-3", "Etc/GMT+3"),
        ("+3", "Etc/GMT-3"),
        ("UTC+0", "UTC"),
        ("UTC", "UTC"),
        ("МСК+4", "Etc/GMT-7"),
        ("мск", "Europe/Moscow"),
        ("MSK-1", "Etc/GMT-2"),
        ("UTC+5:30", None),
        ("UTC+15", None),
        ("Atlantis", None),
        ("", None),
        ("x" * 4090, None),
    ],
)
def test_time_zones_as_people_name_them(typed: str, zone: str | None) -> None:
    assert parse_timezone(typed) == zone


def test_a_bad_time_zone_is_never_echoed_whole() -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_timezone("x" * 4090)
    assert len(str(refused.value.params["value"])) <= 64


async def test_editing_a_phone_or_email_checks_duplicates(app: App) -> None:
    await make_client(app, OWNER_ID, "Алёна Смирнова", phones=("+79991234567",), emails=("a@b.ru",))
    ivan = await make_client(app, OWNER_ID, "Иван Петров")
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        with pytest.raises(Conflict) as phone:
            await crm.client_edits.set_phones(owner, ivan.id, ["+79991234567"])
        assert phone.value.code == "duplicate_phone"
        assert phone.value.params["name"] == "Алёна Смирнова"
        with pytest.raises(Conflict) as email:
            await crm.client_edits.set_emails(owner, ivan.id, ["A@B.RU"])
        assert email.value.code == "duplicate_email"
        assert (await crm.client_edits.contacts(ivan.id)).phones == []
        # Its own phone kept while another is added is no duplicate.
        await crm.client_edits.set_phones(owner, ivan.id, ["+79990000001"])
        await crm.client_edits.set_phones(owner, ivan.id, ["+79990000001", "+79990000002"])


async def test_two_stages_never_share_a_name(app: App) -> None:
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        stages = await crm.pipelines.stages()
        meeting = next(s for s in stages if s.code == "meeting")
        with pytest.raises(Conflict) as renamed:
            await crm.pipelines.rename_stage(owner, meeting.id, "новый ЛИД")
        assert renamed.value.code == "stage_name_taken"
        with pytest.raises(Conflict):
            await crm.pipelines.add_stage(owner, "Proposal")
        added = await crm.pipelines.add_stage(owner, "Доставка")
        with pytest.raises(Conflict):
            await crm.pipelines.rename_stage(owner, meeting.id, "доставка")
        await crm.pipelines.rename_stage(owner, added.id, "Доставка и монтаж")
        await crm.pipelines.rename_stage(owner, meeting.id, "Встреча")  # its own name is fine
