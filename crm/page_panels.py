"""Panels an app adds to another app's page without that app importing it (as crm.timeline does
for the customer's timeline): the telephone panel on the call pages, the customer page and a
complaint, the screen-pop poll on every page.

An app registers a panel from its AppConfig.ready():

    from crm.page_panels import register_page_panel
    register_page_panel("callback_call", telephony_call_panel)

and a page's template asks for a slot with `{% page_panels "callback_call" task %}` (crm_tags).
A panel takes the request and the page's object and returns HTML (empty: nothing to show); it must
run a fixed number of queries, because the pages' query counts are asserted in tests.
"""

from collections.abc import Callable

from django.http import HttpRequest

# Slots: "callback_call" (a CallbackTask), "outreach_call" (an OutreachTask), "customer" (a Customer),
# "complaint" (a complaints Case), "base" (None: every page, inside <body>).
PagePanel = Callable[[HttpRequest, object], str]
_panels: dict[str, list[PagePanel]] = {}


def register_page_panel(slot: str, panel: PagePanel) -> PagePanel:
    registered = _panels.setdefault(slot, [])
    if panel not in registered:
        registered.append(panel)
    return panel


def render_page_panels(request: HttpRequest, slot: str, obj: object) -> str:
    return "".join(panel(request, obj) or "" for panel in _panels.get(slot, []))
