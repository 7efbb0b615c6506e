"""/deals' filters ride in its buttons' data: whatever fits, the export button carries too."""

from __future__ import annotations

from datetime import date

import pytest

from crm.deal_queries import DealFilter
from crm.exports.files import Format
from crm.field_filters import FieldFilter
from handlers.deals.field_filters import fits
from handlers.deals.overview import pack_filters
from handlers.imports.callbacks import ExportAction, ExportCb, ExportWhat

DAY = FieldFilter(field_id=123456, low=date(2026, 3, 1), high=date(2026, 3, 31))


@pytest.mark.parametrize("ranges", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("flags", [False, True])
def test_filters_that_fit_fit_the_export_button_too(ranges: int, flags: bool) -> None:
    fields = tuple(
        FieldFilter(field_id=DAY.field_id + n, low=DAY.low, high=DAY.high) for n in range(ranges)
    )
    filters = DealFilter(mine=flags, stale=flags, closing_this_month=flags, fields=fields)
    if fits(filters):
        for action in ExportAction:
            data = ExportCb(
                what=ExportWhat.DEALS,
                action=action,
                fmt=Format.XLSX,
                from_list=True,
                f=pack_filters(filters),
            )
            assert len(data.pack().encode()) <= 64
    else:
        assert ranges >= 2  # one date range always fits, whatever else is on
