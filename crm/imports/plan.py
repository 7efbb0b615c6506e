"""A table under a mapping: drafts, rejected rows, and the duplicates inside the file. Pure."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from crm.errors import ErrorCode, InvalidInput
from crm.imports.mapping import check
from crm.imports.reading import Table
from crm.imports.required import Required
from crm.imports.rows import FieldParser, Rejected, RowDraft, build_row, has_links
from crm.parsing.search_text import fold


class Policy(StrEnum):
    """What to do with a row whose phone or e-mail is known already."""

    SKIP = "skip"
    FILL = "fill"  # fill the empty fields of the card it matches
    CREATE = "create"  # create a card anyway

    @classmethod
    def named(cls, name: str) -> Policy:
        """The policy of this name; any other name (a forged button's) is refused."""
        try:
            return cls(name)
        except ValueError:
            raise InvalidInput(ErrorCode.IMPORT_BAD_TARGET, target=name[:40]) from None


@dataclass
class Plan:
    drafts: list[RowDraft] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    # Drafts whose phone or e-mail (a record's: name) an earlier row of the file has:
    # index → that row's index, or the first of its group's rows left by ``drop``.
    repeats: dict[int, int] = field(default_factory=dict)
    # Drafts of cards already in the base left as they were (their repeats with them).
    skipped: set[int] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.drafts) + len(self.rejected)


def plan(
    table: Table,
    mapping: list[str],
    region: str,
    parse_field: FieldParser | None = None,
    deal_fields: Collection[int] = (),
    by_name: bool = False,
) -> Plan:
    """``parse_field`` reads the team's fields (``field_<id>`` columns); ``deal_fields``
    says which of them are deal fields; ``by_name``: rows are records, the same name
    twice in the file is a repeat."""
    *_, result = planning(table, mapping, region, parse_field, deal_fields, by_name)
    return result


def planning(
    table: Table,
    mapping: list[str],
    region: str,
    parse_field: FieldParser | None = None,
    deal_fields: Collection[int] = (),
    by_name: bool = False,
    every: int = 500,
) -> Iterator[Plan]:
    """``plan`` in steps: yields the plan so far after every ``every`` rows, and once at the end.

    The caller can let others run between steps (the import gives way to members).
    """
    if not by_name:  # records are checked by their own import (crm.imports.records)
        check(mapping)
    result = Plan()
    seen: dict[str, int] = {}
    linking = has_links(mapping)
    for n, (number, cells) in enumerate(zip(table.numbers, table.rows, strict=True), 1):
        if n % every == 0:
            yield result
        row = build_row(number, cells, mapping, region, parse_field, deal_fields, linking)
        if isinstance(row, Rejected):
            result.rejected.append(row)
            continue
        index = len(result.drafts)
        keys = [fold(row.name)] if by_name else [*row.phones, *row.emails, *card_key(row)]
        earlier = next((seen[key] for key in keys if key in seen), None)
        if earlier is not None:
            result.repeats[index] = earlier
        for key in keys:
            seen.setdefault(key, index)
        result.drafts.append(row)
    yield result


def card_key(draft: RowDraft) -> list[str]:
    """Rows of one card by its /export number: the number and the name (``lookup.Known``)."""
    return [f"#{draft.card_id}:{fold(draft.name)}"] if draft.card_id else []


def merge_into(target: RowDraft, extra: RowDraft) -> None:
    """Fill ``target``'s empty fields from a later row about the same client."""
    for key in ("company", "city", "address", "source", "status", "manager", "came_at"):
        if getattr(target, key) is None:
            setattr(target, key, getattr(extra, key))
    target.phones += [p for p in extra.phones if p not in target.phones]
    target.emails += [e for e in extra.emails if e not in target.emails]
    target.tags += [t for t in extra.tags if t not in target.tags]
    target.notes += extra.notes
    for key, value in extra.custom.items():
        target.custom.setdefault(key, value)
    for field_key, parsed in extra.values.items():
        target.values.setdefault(field_key, parsed)
    if extra.links:  # both rows' names are linked
        target.links = (*(target.links or ()), *extra.links)


def merge_repeats(work: Plan) -> None:
    """Each row that repeats an earlier one fills that one's empty fields and adds its
    phones, e-mails, tags and notes: the skip and fill policies, which decide only about
    cards already in the base (create anyway makes a card of every row)."""
    for index in sorted(work.repeats):
        merge_into(work.drafts[root(work.repeats, index)], work.drafts[index])


def root(repeats: dict[int, int], index: int) -> int:
    while index in repeats:
        index = repeats[index]
    return index


def reject_unknown_stages(work: Plan, stages: Mapping[str, object]) -> None:
    """A deal row naming a stage the pipeline does not have is returned, not guessed."""
    drop(
        work,
        {
            index: Rejected(draft.number, "unknown_stage", draft.deal_stage)
            for index, draft in enumerate(work.drafts)
            if draft.deal_stage and fold(draft.deal_stage) not in stages
        },
    )


def reject_lacking(work: Plan, required: Required) -> None:
    """Rows without a value for a required field, returned (the member chose so)."""
    lacking = {i: name for i, d in enumerate(work.drafts) if (name := required.lacking(d))}
    drop(
        work, {i: Rejected(work.drafts[i].number, "required_empty", n) for i, n in lacking.items()}
    )


def drop(work: Plan, rejects: dict[int, Rejected]) -> None:
    """Move the drafts at these indexes to the rejected rows. The rows left of a group stay
    one group: each repeats the first of them, which repeats nothing if the group's first
    row went (else its rows would make or fill their client or record each)."""
    dropped = set(rejects)
    kept = [draft for index, draft in enumerate(work.drafts) if index not in dropped]
    work.rejected += rejects.values()
    if dropped:
        first: dict[int, int] = {}  # a group (its first row before) → its first row left
        repeats: dict[int, int] = {}
        for new, old in enumerate(i for i in range(len(work.drafts)) if i not in dropped):
            group = root(work.repeats, old)
            if first.setdefault(group, new) != new:
                repeats[new] = first[group]
        work.repeats = repeats
        work.drafts = kept
        work.rejected.sort(key=lambda r: r.number)
