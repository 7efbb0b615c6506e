"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import MemberId, Page, RecordId


class AutoAction(StrEnum):
    LIST = "list"
    STARTERS = "starters"
    ADD_STARTER = "add"
    RULE = "rule"
    PAUSE = "pause"
    RESUME = "resume"


class AutoCb(CallbackData, prefix="au"):
    """/settings → Automation. ``rule_id`` for a rule's screen; ``code`` for a starter."""

    action: AutoAction
    rule_id: RecordId = 0
    code: str = ""


class RulesPageCb(CallbackData, prefix="aup"):
    """A page of /settings → Automation's rules (ten to a page: there may be a hundred)."""

    page: Page = 0


class RuleAction(StrEnum):
    """A rule's own screen: delete (asks first) and "Test on a record"."""

    DELETE = "delete"
    DELETE_YES = "delete_yes"
    TEST = "test"
    TEST_ON = "test_on"


class RuleCb(CallbackData, prefix="ar"):
    """``record_id`` is the client or deal (by the rule's trigger) to test the rule on."""

    action: RuleAction
    rule_id: RecordId = 0
    record_id: RecordId = 0


class Step(StrEnum):
    """The rule builder's presses (/settings → Automation → New rule)."""

    NEW = "new"
    RESTART = "restart"  # a new rule, the one being built dropped
    TRIGGER = "trigger"  # code: a trigger
    STAGE = "stage"  # value: a stage id
    NUMBER = "number"  # value: days, hours or minutes
    ANY = "any"  # no parameter (any source, any value)
    STATUS = "status"  # status: the status's code (its place would shift with the list)
    CONDITION = "cond"  # code: what to check
    ACTIONS = "actions"  # on to the actions
    ACTION = "action"  # code: an action
    WHO = "who"  # code: responsible | actor | owner | group
    MEMBER = "member"  # member: toggled for round-robin
    MEMBERS_DONE = "members_done"
    MEMBERS_PAGE = "members_page"  # value: a page of the members to choose from
    TEMPLATE = "template"  # value: a template id
    FIELD = "field"  # value: a custom field id
    RECORD_TYPE = "rtype"  # value: a record type id
    DELAY_STEP = "delay_step"  # on to the delay
    DELAY = "delay"  # code: now | after | next_workday; value: minutes


class Code(StrEnum):
    NONE = ""
    CLIENT_CREATED = "client_created"
    DEAL_ENTERED_STAGE = "deal_entered_stage"
    DEAL_WON = "deal_won"
    DEAL_LOST = "deal_lost"
    DEAL_STALE = "deal_stale"
    TASK_OVERDUE = "task_overdue"
    FIELD_CHANGED = "field_changed"
    DATE_APPROACHING = "date_approaching"
    CUSTOM_CHANGED = "custom_changed"
    RECORD_CREATED = "record_created"
    AMOUNT_GT = "amount_gt"
    AMOUNT_LT = "amount_lt"
    STATUS = "status"
    SOURCE = "source"
    TAG = "tag"
    CUSTOM = "custom"
    CREATE_TASK = "create_task"
    NOTIFY = "notify"
    MOVE_STAGE = "move_stage"
    SET_STATUS = "set_status"
    ADD_TAG = "add_tag"
    ROUND_ROBIN = "round_robin"
    PREPARE_TEMPLATE = "prepare_template"
    SET_FIELD = "set_field"
    RESPONSIBLE = "responsible"
    ACTOR = "actor"
    OWNER = "owner"
    GROUP = "group"
    NOW = "now"
    AFTER = "after"
    NEXT_WORKDAY = "next_workday"
    HIGH = "high"  # a task's priority, toggled on the due screen


class BuildCb(CallbackData, prefix="ab"):
    """``value`` is also the page a member's button (``Step.MEMBER``) was on; ``status``:
    a status's code (``Step.STATUS``)."""

    step: Step
    code: Code = Code.NONE
    value: RecordId = 0
    member: MemberId = 0
    status: str = ""
