"""Figures another app adds to the agent daily report (回访日报) per agent and local day, without
callbacks importing that app (as crm.page_panels does for pages): the telephone system's talk time.

An app registers a figure from its AppConfig.ready():

    from callbacks.agent_day_figures import AgentDayFigure, register_agent_day_figure
    register_agent_day_figure(AgentDayFigure("talk_seconds", _("通话时长"), talk_time_per_agent_day, format_talk_time))

`compute(store_ids=…, date_from=…, date_to=…)` returns {(agent id, local day): value} in one query
(store_ids None: every store), so the report's query count stays constant in its rows; `display`
turns a value into the text of its cell. `callbacks.selectors.agent_daily_report` puts each value
in its rows under `key` (0 when none), and gives an agent with a figure but no attempt that day a
row of his own; the page and the report table read them there.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

AgentDays = dict[tuple[int, datetime.date], int]


@dataclass(frozen=True)
class AgentDayFigure:
    key: str
    label: str | Promise
    compute: Callable[..., AgentDays]
    display: Callable[[int], str]


_figures: dict[str, AgentDayFigure] = {}


def register_agent_day_figure(figure: AgentDayFigure) -> AgentDayFigure:
    _figures[figure.key] = figure
    return figure


def agent_day_figures() -> list[AgentDayFigure]:
    return list(_figures.values())
