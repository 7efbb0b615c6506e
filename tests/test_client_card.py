"""The card: opening it, its timeline, notes while it is open, edits, status, tags, archive."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.clients.callbacks import ClientCb
from storage.engine import create_session_factory
from storage.models import Client, Event
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner


async def events_of(app: App, client_id: int) -> list[Event]:
    async with create_session_factory(app.engine)() as session:
        rows = await session.scalars(
            select(Event).where(Event.client_id == client_id).order_by(Event.id)
        )
        return list(rows)


async def open_card(user: SimulatedUser, client_id: int) -> str:
    [card] = await user.press_data(ClientCb(action="open", client_id=client_id).pack())
    return card.text


async def test_search_opens_a_single_match_and_lists_several(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(
        app, OWNER_ID, "Ivan Petrov", phones=("+79991234567",), company="Romashka LLC"
    )
    await make_client(app, OWNER_ID, "Ivanna Smith")
    [card] = await owner_en.send("999 123")
    assert card.text.startswith("👤 Ivan Petrov")
    assert "📞 +7 999 123-45-67" in card.text and "🏢 Romashka LLC" in card.text
    assert "✨ client added" in card.text

    [listing] = await owner_en.send("/find ivan")
    assert listing.text.startswith("Found for “ivan”:")
    assert [text for text, _d, _u in listing.buttons] == [
        "Ivan Petrov · Romashka LLC",
        "Ivanna Smith",
    ]
    [card] = await owner_en.press("Ivanna Smith")
    assert card.text.startswith("👤 Ivanna Smith")

    [reply] = await owner_en.send("/find nobody-like-this")
    assert reply.text == "Nothing found for “nobody-like-this”."
    [reply] = await owner_en.send("/find")
    assert reply.text.startswith("What to look for?")


async def test_a_tag_typed_as_the_card_shows_it_is_found(app: App, owner: SimulatedUser) -> None:
    """The card shows a tag as "#опт": /find #опт (or "#опт" sent as it is) finds the
    clients with that tag, /find опт any text holding it; a lone "#" finds nothing."""
    client = await make_client(app, OWNER_ID, "Анна Ли")
    await make_client(app, OWNER_ID, "Борис Оптов")  # "опт" in the name, not a tag
    await open_card(owner, client.id)
    await owner.press("Теги")
    [card] = await owner.send("#опт")
    assert "Теги: #опт" in card.text
    await owner.send("/cancel")

    [tagged] = await owner.send("/find #опт")  # the tag: hers alone, her card opens
    assert tagged.text.startswith("👤 Анна Ли"), tagged.text
    [listing] = await owner.send("/find опт")
    assert listing.text.startswith("Найдено по запросу «опт»")
    assert sorted(text for text, _d, _u in listing.buttons) == ["Анна Ли", "Борис Оптов"]
    [found] = await owner.send("/find #опт ли")
    assert found.text.startswith("👤 Анна Ли")
    [reply] = await owner.send("/find #")
    assert reply.text == "По запросу «#» ничего не найдено."


async def test_text_after_opening_a_card_is_a_comment_with_undo(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await open_card(owner_en, client.id)
    [ack] = await owner_en.send("Asked to call back on Friday")
    assert ack.text == "Comment added to Anna Lee."
    comments = [e for e in await events_of(app, client.id) if e.kind == "comment"]
    assert [e.text for e in comments] == ["Asked to call back on Friday"]

    undo = ack.buttons[0][1]
    assert undo is not None
    [undone] = await owner_en.press("Undo", ack)
    assert undone.text == "Removed from the card." and undone.buttons == []
    assert not [e for e in await events_of(app, client.id) if e.kind == "comment"]
    await owner_en.press_data(undo)  # pressed again, from a copy of the old message
    assert owner_en.alert == "That was already removed."

    # After the card context expires, text is a search again.
    clock.advance(timedelta(minutes=16))
    [reply] = await owner_en.send("Anna")
    assert reply.text.startswith("👤 Anna Lee")


async def test_comment_and_call_buttons(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Boris Orlov")
    await open_card(owner_en, client.id)
    await owner_en.press("Comment")
    [reply] = await owner_en.send("   ")
    assert reply.text == "This cannot be empty. Please send it again."
    [reply] = await owner_en.send("x" * 4001)
    assert reply.text.startswith("That is too long: at most 4000 characters.")
    [ack] = await owner_en.send("Wants a discount")
    assert ack.text == "Comment added to Boris Orlov."

    await open_card(owner_en, client.id)
    await owner_en.press("Call")
    await owner_en.press("no answer")
    [ack] = await owner_en.press("Save without a note")
    assert ack.text == "Call logged for Boris Orlov."
    await owner_en.press_data(
        ClientCb(action="call_save", client_id=client.id, code="no_answer").pack()
    )
    assert owner_en.alert == "This button is no longer active."  # no second call

    await open_card(owner_en, client.id)
    await owner_en.press("Call")
    await owner_en.press("reached")
    [ack] = await owner_en.send("Agreed on the price")
    assert ack.text == "Call logged for Boris Orlov."

    card = await open_card(owner_en, client.id)
    lines = card.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("History"))
    history = lines[start + 1 :]
    assert "📞 reached: Agreed on the price" in history[0]  # newest first
    assert "📞 no answer" in history[1]
    assert "💬 Wants a discount" in history[2]
    assert "✨ client added" in history[3]
    calls = [e for e in await events_of(app, client.id) if e.kind == "call"]
    assert [e.data["outcome"] for e in calls] == ["no_answer", "reached"]


async def test_editing_fields_with_second_chances(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Vera Kim")
    await open_card(owner_en, client.id)
    # Phones and emails one at a time (tests/test_client_contact_buttons.py has the rest).
    await owner_en.press("Edit")
    await owner_en.press("Phones")
    await owner_en.press("Add a phone")
    [reply] = await owner_en.send("12345")
    assert reply.text.startswith("“12345” is not a phone number I can read.")
    [screen] = await owner_en.send("8 (999) 123-45-67")
    assert "📞 +7 999 123-45-67" in screen.text
    await owner_en.press("Add a phone", screen)
    [screen] = await owner_en.send("+44 20 7946 0958")
    assert "📞 +7 999 123-45-67" in screen.text and "📞 +44 20 7946 0958" in screen.text

    await owner_en.press("Card", screen)
    await owner_en.press("Edit")
    await owner_en.press("Emails")
    await owner_en.press("Add an email")
    [reply] = await owner_en.send("vera at mail")
    assert reply.text.startswith("“vera at mail” is not an email address.")
    [screen] = await owner_en.send("Vera@Mail.RU")
    assert "✉️ vera@mail.ru" in screen.text
    card = await open_card(owner_en, client.id)
    assert "📞 +44 20 7946 0958" in card and "✉️ vera@mail.ru" in card

    await owner_en.press("Edit")
    await owner_en.press("Name")
    [reply] = await owner_en.send("-")
    assert reply.text == "A name needs at least one letter or digit. Please send the name again."
    [reply] = await owner_en.send("N" * 201)
    assert reply.text.startswith("That is too long: at most 200 characters.")
    [card] = await owner_en.send("<b>Vera</b> & _Kim_ *[x]")
    assert card.text.startswith("👤 <b>Vera</b> & _Kim_ *[x]")
    *fields, hint = card.entities  # the last: the italic line on where text goes
    assert all(entity.type == "bold" for entity in fields)
    assert hint.type == "italic" and hint.offset > len(card.text.split("\n")[0])

    await owner_en.press("Edit")
    await owner_en.press("City")
    [card] = await owner_en.send("Tver")
    assert "📍 Tver" in card.text
    await owner_en.press("Edit")
    await owner_en.press("City")
    [card] = await owner_en.send("-")
    assert "📍" not in card.text
    assert "✏️ city: Tver → —" in card.text
    [client_now] = await owner_en.send("/find 999 123")
    assert client_now.text.startswith("👤 <b>Vera</b>")


async def test_a_field_s_question_says_what_the_field_holds_now(
    app: App, owner: SimulatedUser
) -> None:
    """The question read "Компания: Иван Петров.", as if the client's name were the company;
    it now names the client and says what the field holds (— when empty)."""
    client = await make_client(app, OWNER_ID, "Иван Петров", company="ООО Ромашка")
    await open_card(owner, client.id)
    await owner.press("Изменить")
    [asked] = await owner.press("Компания")
    assert asked.text == (
        "Компания у клиента Иван Петров сейчас: ООО Ромашка. "
        "Пришлите новое значение или «-», чтобы очистить."
    )
    await owner.send("ООО Лютик")
    await owner.press("Изменить")
    [asked] = await owner.press("Город")
    assert asked.text.startswith("Город у клиента Иван Петров сейчас: —. ")
    await owner.send("/cancel")
    await open_card(owner, client.id)
    await owner.press("Изменить")
    [asked] = await owner.press("Имя")
    assert asked.text == "Имя сейчас: Иван Петров. Пришлите новое имя."
    await owner.send("/cancel")
    await open_card(owner, client.id)
    await owner.press("Изменить")
    [phones] = await owner.press("Телефоны")
    assert phones.text.startswith("Телефоны клиента Иван Петров")


async def test_status_tags_archive_and_restore(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Gleb Frolov")
    await open_card(owner_en, client.id)
    await owner_en.press("Status")
    [card] = await owner_en.press("hot")
    assert "Status: 🔥 hot" in card.text and "🏷 🆕 new → 🔥 hot" in card.text
    await owner_en.press_data(
        ClientCb(action="set_status", client_id=client.id, code="nope").pack()
    )
    assert owner_en.alert == "There is no such status any more."

    await owner_en.press("Tags")
    [card] = await owner_en.send("#VIP wholesale, vip")
    assert "Tags: #vip #wholesale" in card.text
    [tags] = await owner_en.press("Tags")
    [tags] = await owner_en.press("#vip", tags)
    assert [t for t, _d, _u in tags.buttons] == ["✖️ #wholesale", "◀️ Card"]
    await owner_en.press_data(
        ClientCb(action="untag", client_id=client.id, code="deadbeef00").pack()
    )
    assert owner_en.alert == "This tag is already removed."

    card_text = await open_card(owner_en, client.id)
    assert "#wholesale" in card_text
    [card] = await owner_en.press("Archive")
    assert "In the archive" in card.text
    [reply] = await owner_en.send("/find Gleb")  # found, and said to be in the archive
    assert reply.text == "Found for “Gleb”:\n🗄 marks a client in the archive."
    assert [text for text, _d, _u in reply.buttons] == ["🗄 Gleb Frolov"]
    [card] = await owner_en.press("Restore", card)
    assert "In the archive" not in card.text
    [reply] = await owner_en.send("/find Gleb")
    assert reply.text.startswith("👤 Gleb Frolov")


async def test_only_the_owner_deletes_and_the_deletion_is_logged(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    admin = await join(4001, "admin", "Alla", language_code="en")
    client = await make_client(app, OWNER_ID, "Denis Gold")
    card_text = await open_card(admin, client.id)
    assert "Delete" not in str(admin.last_message().buttons)
    assert card_text.startswith("👤 Denis Gold")
    await admin.press_data(ClientCb(action="delete_yes", client_id=client.id).pack())
    assert admin.alert == "You don't have access to this."

    await open_card(owner_en, client.id)
    [confirm] = await owner_en.press("Delete")
    assert confirm.text.startswith("Delete Denis Gold for good")
    [done] = await owner_en.press("Yes, delete")
    assert done.text == "Denis Gold is deleted."
    # A second press, and the admin still looking at the card: the record is gone.
    await owner_en.press_data(ClientCb(action="delete_yes", client_id=client.id).pack())
    assert owner_en.alert == "This record no longer exists."
    await admin.press("Comment")
    assert admin.alert == "This record no longer exists."
    async with create_session_factory(app.engine)() as session:
        assert await session.get(Client, client.id) is None
        logged = await session.scalar(select(Event).where(Event.kind == "client_deleted"))
    assert logged is not None and logged.data == {"client_id": client.id, "name": "Denis Gold"}
    assert logged.actor_id == OWNER_ID


async def test_managers_see_only_their_own_and_unassigned_clients(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(4002, "manager", "Mark", language_code="en")
    other = await make_client(app, OWNER_ID, "Secret Client", phones=("+79990001122",))
    mine = await make_client(app, 4002, "My Client")
    for data in (
        ClientCb(action="open", client_id=other.id).pack(),
        ClientCb(action="comment", client_id=other.id).pack(),
        ClientCb(action="set_status", client_id=other.id, code="hot").pack(),
        ClientCb(action="archive", client_id=other.id).pack(),
        ClientCb(action="manager", client_id=other.id).pack(),
    ):
        replies = await manager.press_data(data)
        assert replies == []
        assert manager.alert == "This record no longer exists."
    [reply] = await manager.send("/find Secret")
    assert reply.text == "Nothing found for “Secret”."
    [reply] = await manager.send("/find 999 000")
    assert "Secret" not in reply.text
    card_text = await open_card(manager, mine.id)
    assert "Responsible" in card_text and "👤 Responsible" not in str(
        manager.last_message().buttons
    )

    # The owner hands the secret client to nobody: now everyone sees it.
    await open_card(owner_en, other.id)
    await owner_en.press("Responsible")
    [card] = await owner_en.press("Nobody")
    assert "Responsible: nobody" in card.text
    [card] = await manager.send("/find Secret")
    assert card.text.startswith("👤 Secret Client")


async def test_files_sent_while_a_card_is_open_join_its_history(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Egor Lis")
    [reply] = await owner_en.send_document("price.pdf", "application/pdf")
    assert reply.text.startswith("Open a card first")
    await open_card(owner_en, client.id)
    [ack] = await owner_en.send_document("price.pdf", "application/pdf", caption="Our prices")
    assert ack.text == "Added to the history of Egor Lis."
    card_text = await open_card(owner_en, client.id)
    assert "📎 file price.pdf: Our prices" in card_text
    [files] = await owner_en.press("Files on this page")
    await owner_en.press("price.pdf", files)
    sent = owner_en.last_message()
    assert sent.method == "SendDocument" and sent.text == "Our prices"


async def test_timeline_pages(app: App, owner_en: SimulatedUser, clock: ManualClock) -> None:
    client = await make_client(app, OWNER_ID, "Zoya Paging")
    await open_card(owner_en, client.id)
    for n in range(12):
        clock.advance(timedelta(minutes=1))
        await owner_en.send(f"note {n:02d}")
    card_text = await open_card(owner_en, client.id)
    assert "History (1–10 of 13)" in card_text and "note 11" in card_text
    assert "note 01" not in card_text
    [card] = await owner_en.press("Older")
    assert "History (11–13 of 13)" in card.text and "note 01" in card.text
    assert "✨ client added" in card.text
    [card] = await owner_en.press("Newer", card)
    assert "History (1–10 of 13)" in card.text


async def test_a_dash_for_a_calls_note_is_no_note(app: App, owner_en: SimulatedUser) -> None:
    """The call's question offers "Save without a note"; a "-" typed instead was kept as the
    note: the history read "📞 no answer: -"."""
    client = await make_client(app, OWNER_ID, "Boris Orlov")
    await open_card(owner_en, client.id)
    await owner_en.press("Call")
    await owner_en.press("no answer")
    [ack] = await owner_en.send(" – ")
    assert ack.text == "Call logged for Boris Orlov."
    [call] = [e for e in await events_of(app, client.id) if e.kind == "call"]
    assert call.text is None
    assert "📞 no answer\n" in await open_card(owner_en, client.id) + "\n"


async def test_a_tag_ending_a_sentence_is_the_tag_without_the_stop(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "#vip." typed in the tags' dialog made the tag "vip." (quick add reads it as vip):
    /find #vip then missed the card."""
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await open_card(owner_en, client.id)
    await owner_en.press("Tags")
    [card] = await owner_en.send("#vip. #wholesale! #moscow .")
    assert "Tags: #moscow #vip #wholesale\n" in card.text, card.text
    await owner_en.send("/cancel")
    [found] = await owner_en.send("/find #vip")
    assert found.text.startswith("👤 Anna Lee"), found.text


async def test_two_phones_pasted_into_add_a_phone_are_asked_one_at_a_time(
    app: App, owner_en: SimulatedUser
) -> None:
    """Two valid numbers pasted at once were "“+7 999 …, +7 916 …” is not a phone number I
    can read."; now the member is asked for one, and the question stays."""
    client = await make_client(app, OWNER_ID, "Vera Kim")
    pasted = {"Phones": "+7 999 123-45-67, +7 916 765-43-21", "Emails": "v@mail.ru; k@mail.ru"}
    for section, both in pasted.items():
        await open_card(owner_en, client.id)
        for button in ("Edit", section, "Add a"):
            await owner_en.press(button)
        [reply] = await owner_en.send(both)
        assert reply.text == "One at a time, please: send the first one now."
        [screen] = await owner_en.send(both.split(",")[0].split(";")[0])  # the question stays
        assert "Tap one to remove it." in screen.text, screen.text


async def test_an_old_older_button_past_the_history_shows_its_last_page(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """ "Older ▶️" on a card shown when the client had eleven events, pressed after a
    comment was undone, read "No history yet." under a client with ten: it shows the last page."""
    client = await make_client(app, OWNER_ID, "Vera Kim")
    await open_card(owner_en, client.id)
    for n in range(10):
        clock.advance(timedelta(minutes=1))
        await owner_en.send(f"note {n:02d}")
    await open_card(owner_en, client.id)
    card = owner_en.last_message()
    assert "History (1–10 of 11)" in card.text
    [last] = [e for e in await events_of(app, client.id) if e.text == "note 09"]
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.timeline.undo_comment(me, last.id, client.id)
    [older] = await owner_en.press("Older", card)
    assert "No history yet." not in older.text
    assert "History (1–10 of 10)" in older.text and "client added" in older.text
    assert "note 00" in older.text and "note 09" not in older.text


async def test_an_earlier_calls_save_button_leaves_the_open_call_alone(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "Save without a note" from client A's call, pressed while B's call note was asked,
    logged A's call and ended B's question (it checked only that a call note was pending)."""
    anna = await make_client(app, OWNER_ID, "Anna Call")
    boris = await make_client(app, OWNER_ID, "Boris Call")
    await open_card(owner_en, anna.id)
    await owner_en.press("Call")
    await owner_en.press("no answer")
    await open_card(owner_en, boris.id)
    await owner_en.press("Call")
    await owner_en.press("reached")

    a_save = ClientCb(action="call_save", client_id=anna.id, code="no_answer").pack()
    assert await owner_en.press_data(a_save) == []  # A's button, still on its message
    assert owner_en.alert == "This button is from an earlier call; answer the last question."
    assert not [e for e in await events_of(app, anna.id) if e.kind == "call"]
    [ack] = await owner_en.send("Agreed to meet")  # B's question is still open
    assert ack.text == "Call logged for Boris Call."
    [call] = [e for e in await events_of(app, boris.id) if e.kind == "call"]
    assert (call.data["outcome"], call.text) == ("reached", "Agreed to meet")
