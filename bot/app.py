"""The one factory that builds Kartoteka: production, the console and the tests use it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramForbiddenError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.api_session import ApiSession
from bot.chat_locks import KeptChatLocks
from bot.config import Settings
from bot.flood import FloodControl
from bot.fsm_storage import BotRedisStorage
from bot.i18n import build_i18n, words_of
from bot.lease import Leases, LocalLeases, RedisLeases
from bot.polling import AnswersFirst, UnderWay
from bot.web.metrics import RequestMetrics, UpdateMetrics, reminder_sent
from crm.clock import Clock, SystemClock
from crm.config import CrmConfig, as_written
from crm.mailer import MailConfig
from crm.members import language_for
from crm.service import CrmFactory
from handlers import build_routers
from handlers.kit.alerts import alert
from handlers.kit.cancel_steps import AskedIn, CancelThen, StampCancel
from handlers.kit.gated import LostSteps
from handlers.kit.middlewares import (
    AccessGate,
    AfterAnswer,
    CardEndsDialog,
    CrmMiddleware,
    LeaveDialogs,
    MemberI18nMiddleware,
)
from handlers.kit.presses import AnswerEveryPress, PressLedger, Refusals
from handlers.opencard.replies import RepliesEndDialogs
from reminders.limits import RateLimits
from reminders.scheduler import Ticker
from reminders.sender import OutboxSender
from storage.engine import DatabaseGone, create_engine, create_session_factory
from storage.models import User

log = logging.getLogger(__name__)

OFFLINE_TOKEN = "1:offline"


@dataclass
class App:
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    engine: AsyncEngine
    crm: CrmFactory
    i18n: I18n
    sender: OutboxSender
    ticker: Ticker
    # Shared between instances when REDIS_URL is set: the update queue, leases, readiness.
    redis: Redis | None
    leases: Leases
    under_way: UnderWay  # the updates being handled now, for a stop to wait for

    async def close(self) -> None:
        await self.crm.member_cache.open_cards.write()  # what the last tick left
        if self.redis is not None:
            await self.redis.aclose()
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        await self.engine.dispose()


def mail_config(settings: Settings) -> MailConfig | None:
    """The SMTP server for "Send by email", when the team set one (and a sender)."""
    if not settings.smtp_host or not settings.smtp_from:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return MailConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=password,
        tls=settings.smtp_tls,
    )


def crm_config(
    settings: Settings, owner_ids: tuple[int, ...] | None = None, i18n: I18n | None = None
) -> CrmConfig:
    """``i18n``: the catalogs the core's words are read in (None: as written, in English)."""
    return CrmConfig(
        words=words_of(i18n) if i18n is not None else as_written,
        default_language=settings.default_language,
        default_timezone=settings.default_timezone,
        default_phone_region=settings.default_phone_region,
        owner_ids=settings.owner_ids if owner_ids is None else owner_ids,
        card_context=timedelta(minutes=settings.card_context_minutes),
        currency=settings.currency,
        nudge_after=timedelta(minutes=settings.nudge_after_minutes),
        default_hour=settings.default_task_hour,
        automation_per_hour=settings.automation_max_per_hour,
        mail=mail_config(settings),
        public_url=settings.public_url,
        backup_dir=settings.backup_dir,
        backup_keep=settings.backup_keep,
    )


def build_app(
    settings: Settings,
    *,
    session: BaseSession | None = None,
    clock: Clock | None = None,
    fsm_storage: BaseStorage | None = None,
    owner_ids: tuple[int, ...] | None = None,
    limits: RateLimits | None = None,
) -> App:
    """Wire everything. ``session`` replaces the HTTP session (console, tests); ``limits``
    Telegram's rate limits as the bot keeps them (tests that do not wait on them)."""
    engine = create_engine(settings.database_url)
    i18n = build_i18n(settings.default_language)
    config = crm_config(settings, owner_ids, i18n)
    factory = CrmFactory(create_session_factory(engine), clock or SystemClock(), config)
    if settings.instances == 1:  # the only writer of members' rows (see MemberCache)
        factory.member_cache.enable(engine)
    bot = Bot(
        token=settings.bot_token.get_secret_value() if settings.bot_token else OFFLINE_TOKEN,
        session=session or _http_session(settings),
        default=DefaultBotProperties(link_preview_is_disabled=True),
    )
    # Outermost: a poll for more updates lets the ones just received start first.
    bot.session.middleware(AnswersFirst())
    ledger = PressLedger()
    bot.session.middleware(ledger)
    limits = limits or RateLimits()
    bot.session.middleware(FloodControl(limits))
    bot.session.middleware(StampCancel())  # a question's Cancel names its dialog step
    # Innermost: counts what reached Telegram, and every 429 it answered.
    bot.session.middleware(RequestMetrics())
    if fsm_storage is None and settings.redis_url:
        fsm_storage = BotRedisStorage.for_url(settings.redis_url, settings.redis_prefix)
    under_way = UnderWay()
    dispatcher = build_dispatcher(
        factory,
        i18n,
        settings.default_language,
        fsm_storage,
        ledger,
        # A chat's lock held by an instance that was killed frees itself after this;
        # a live one keeps extending it while its update runs.
        lock_seconds=max(5.0, 2 * settings.update_takeover_seconds),
        under_way=under_way,
    )
    sender = OutboxSender(
        bot, factory, i18n, limits=limits, holder=settings.instance_name, on_sent=reminder_sent
    )
    ticker = Ticker(factory, sender)
    redis = (
        Redis.from_url(settings.redis_url, decode_responses=True) if settings.redis_url else None
    )
    leases: Leases = (
        RedisLeases(redis, redis_prefix(settings, bot), settings.instance_name)
        if redis is not None
        else LocalLeases()
    )
    return App(
        settings, bot, dispatcher, engine, factory, i18n, sender, ticker, redis, leases, under_way
    )


def redis_prefix(settings: Settings, bot: Bot) -> str:
    """REDIS_PREFIX and the bot's id (its token's first part, known without asking
    Telegram): two bots sharing a Redis keep their leases and update journals apart,
    the instances of one bot share theirs."""
    return f"{settings.redis_prefix}:{bot.id}"


def build_dispatcher(
    factory: CrmFactory,
    i18n: I18n,
    default_language: str,
    fsm_storage: BaseStorage | None,
    ledger: PressLedger,
    lock_seconds: float = 60.0,
    under_way: UnderWay | None = None,
) -> Dispatcher:
    storage = fsm_storage or MemoryStorage()
    # One update at a time per chat and user: a button pressed twice in quick
    # succession is handled twice in order, never at once.
    isolation = (
        KeptChatLocks(storage.redis, storage.key_builder, lock_seconds)
        if isinstance(storage, RedisStorage)
        else SimpleEventIsolation()
    )
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)
    # For work that outlives an update (an import in the background) and its tasks.
    dispatcher["crm_factory"] = factory
    dispatcher["background"] = set()
    # Order matters: the updates under way, for a stop to wait for, outside aiogram's own
    # (one waiting for its chat's lock is under way too); timing and the log line around
    # everything; what the update left for after its answer, once every press is
    # answered; the CRM and the member, then their language, a dialog step no longer
    # theirs ended, then the door; a question left waiting ended by a card opened; a
    # refusal told in the member's language.
    (under_way or UnderWay()).outermost(dispatcher)
    dispatcher.update.outer_middleware(UpdateMetrics())
    dispatcher.update.outer_middleware(AfterAnswer())
    dispatcher.update.outer_middleware(AnswerEveryPress(ledger))
    dispatcher.update.outer_middleware(CrmMiddleware(factory))
    dispatcher.update.outer_middleware(MemberI18nMiddleware(i18n, default_language))
    dispatcher.update.outer_middleware(LostSteps())
    dispatcher.update.outer_middleware(AccessGate())
    dispatcher.update.outer_middleware(CardEndsDialog())
    dispatcher.update.outer_middleware(Refusals())
    dispatcher.update.outer_middleware(AskedIn())  # the dialog a Cancel sent is asked in
    dispatcher.message.outer_middleware(LeaveDialogs())
    dispatcher.callback_query.outer_middleware(CancelThen())  # a Cancel that goes back
    dispatcher.message.outer_middleware(RepliesEndDialogs())
    dispatcher.include_routers(*build_routers())
    dispatcher.include_router(_errors_router(i18n, default_language))
    return dispatcher


def _http_session(settings: Settings) -> BaseSession:
    if settings.telegram_api_url:
        api = TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/"))
        return ApiSession(api=api)
    return ApiSession()


def _errors_router(i18n: I18n, default_language: str) -> Router:
    """Log a failed update and tell the person, in their language, instead of going silent."""
    router = Router(name="errors")

    @router.error()
    async def on_error(
        event: ErrorEvent, member: User | None = None, asked_in_group: bool = False
    ) -> bool:
        refused = event.exception
        if (
            asked_in_group
            and isinstance(refused, TelegramForbiddenError)
            and member is not None
            and getattr(refused.method, "chat_id", None) == member.id
        ):
            # A command typed in the team's group by a member who blocked the bot: told in
            # the group (handlers.groups.chat), as nothing can reach his private chat.
            raise SkipHandler()
        if isinstance(event.exception, DatabaseGone):
            log.error("update %s refused: %s", event.update.update_id, event.exception)
        else:
            log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
        sender = event.update.event.from_user if hasattr(event.update.event, "from_user") else None
        language = (
            member.language
            if member is not None
            else language_for(sender.language_code if sender else None, default_language)
        )
        with i18n.context(), i18n.use_locale(language):
            if isinstance(event.exception, DatabaseGone):
                text = _(
                    "The bot's database file is missing, so nothing can be saved now. "
                    "Please tell the team's owner; nothing you send is stored until it is fixed."
                )
            else:
                text = _("Something went wrong on my side; nothing was changed. Please try again.")
            callback = event.update.callback_query
            message = event.update.message
            if callback is not None:
                await alert(callback, text)  # (its short answer in the member's language too)
            elif message is not None and message.chat.type == "private":
                await message.answer(text)
        return True

    return router
