"""Words on the report's pictures are drawn as written: matplotlib reads the text between two
"$" as a formula (mathtext), so a stage named "Paid $x^$" failed the whole picture and no
chart was sent. And a picture that cannot be drawn for another reason is said so."""

from __future__ import annotations

import pytest
from matplotlib.text import Text

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.reports import charts
from handlers.reports.charts import funnel_png, plain, weekly_png
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_charts import png_size
from tests.test_report_flow import choose, october

__all__ = ["october"]

WRITTEN = [
    "Paid $x^$",
    r"$\frac$",
    "a_b $_$",
    "From $5 to $10",  # a formula that parses: drawn in italics, the "$" signs gone
    "One $ sign",
    r"Escaped \$ and $x$",
    "No dollars at all",
    "",
]


@pytest.mark.parametrize("text", WRITTEN)
def test_plain_text_is_drawn_as_written(text: str) -> None:
    shown = plain(text)
    assert Text(text=shown)._preprocess_math(shown) == (text, False)


@pytest.mark.parametrize("text", WRITTEN)
def test_pictures_draw_any_text(text: str) -> None:
    png_size(funnel_png([text, "Won"], [2, 1], [f"2 {text}", "1"], text))
    png_size(weekly_png([text, "W2"], [1.0, 2.0], [text, "2 $"], text, text))


async def test_charts_are_sent_for_a_stage_named_with_dollar_signs(
    october: App, owner_en: SimulatedUser
) -> None:
    async with october.crm.open() as crm:
        me = await member(october, OWNER_ID)
        meeting = next(s for s in await crm.pipelines.stages() if s.code == "meeting")
        await crm.pipelines.rename_stage(me, meeting.id, "Meeting $x^$")
    report = await choose(owner_en, "This month")
    assert "Meeting $x^$: 5 → 100%" in report.text
    sent = await owner_en.press("📈 Charts", report)
    assert [m.method for m in sent] == ["SendPhoto", "SendPhoto"]


async def test_a_chart_that_cannot_be_drawn_is_said_so_and_can_be_asked_again(
    october: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> bytes:
        raise MemoryError()

    drawn = charts.funnel_png
    monkeypatch.setattr(charts, "funnel_png", broken)
    report = await choose(owner_en, "This month")
    assert await owner_en.press("📈 Charts", report) == []
    assert owner_en.alerts()[-1] == (
        "I could not draw the charts for this period. The same figures are in the report above "
        "and in 📄 XLSX."
    )
    monkeypatch.setattr(charts, "funnel_png", drawn)
    sent = await owner_en.press("📈 Charts", report)
    assert [m.method for m in sent] == ["SendPhoto", "SendPhoto"]
