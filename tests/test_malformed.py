"""No malformed parameter gives a 500 (Issue 12): every URL pattern of the project (the admin's own
views excepted) is requested as every role and as an anonymous visitor, its path converters filled
with the ids of existing objects and with malformed values, and every parameter it reads (GET query
and POST form) set in turn to each malformed value. A 500 fails the test with the method, URL and
parameters; so does a redirect that leaves this host (open redirect through `next=`).

The parameter names: the ones each view reads by hand (kept below; grep request.GET / request.POST
when a view starts reading a new one) and every form field the URL's own page, or the page whose
forms post to it, renders (harvested from the HTML, so a new form field is covered without edit)."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from callbacks.models import DataFixRecord, HotAlert
from complaints.models import Notification
from complaints.models.calendar import CalendarDay
from crm.choices import Role, StaffRole
from crm.models import Department, ImportJob
from crm.sms.models import SmsMessage, SmsTemplate
from retention.models import OutreachTask
from surveys.models import CallScript, Template
from surveys.selectors import template_latest_version
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory, DepartmentFactory, StaffFactory, StoreFactory, UserFactory
from tests.reports.factories import make_case
from tests.winback.factories import customer_with_ro, local
from winback.models import WinbackEntry
from winback.services import winback_scan

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# A weekday morning: no quiet hours, no month or day boundary (the walk must not depend on the clock).
NOW = dt.datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI)

MALFORMED = [
    "²",  # str.isdigit() is True, int() raises
    "abc",
    "-1",
    "",
    "9" * 30,  # past every integer column
    "0x10",
    "1e9",
    "2026-13",
    "\x00",  # PostgreSQL refuses NUL in text
    "1\x002",
    "é" * 5000,
    "https://evil.example/",
    "//evil.example/",
]

# A form checks its fields with Django's own fields, which refuse bad input as form errors: its
# fields all take each of these at once (fewer values keep the walk fast).
FORM_VALUES = ["²", "9" * 30, "2026-13", "\x00", "é" * 5000]

# Parameters views read by hand (request.GET / request.POST, not through a form drawn on a page),
# by URL name and method.
LIST = {"GET": ["page"]}
READS = {
    "login": {"GET": ["next"], "POST": ["username", "password", "next"]},
    "logout": {"POST": ["next"]},
    "set_language": {"POST": ["language", "next"]},
    "callbacks:call": {"POST": ["version", "disposition", "appointment_at"]},
    "callbacks:manager_queue": {"POST": ["task", "assignee"]},
    "callbacks:daily_report": {"GET": ["day"]},
    "callbacks:hot_alert_close": {"POST": ["note"]},
    "callbacks:next_call": {"POST": ["kind"]},
    "retention:call": {"POST": ["result", "booked_on"]},
    "retention:settings": {"GET": ["store"]},
    "retention:festivals": {"GET": ["store"], "POST": ["delete", "festival", "date"]},
    "complaints:case_list": LIST,
    "complaints:my_cases": LIST,
    "complaints:department_inbox": LIST,
    "complaints:escalations": LIST,
    "complaints:case_create": {"GET": ["customer", "vehicle", "channel", "content", "hot_alert"]},
    "complaints:notification_list": LIST,
    "complaints:notification_mark_all_read": {"POST": ["next"]},
    "reports:dashboard": {"GET": ["month", "store"]},
    "reports:dashboard_staff": {"GET": ["month", "kind", "page"]},
    "reports:package_list": LIST,
    "reports:package_generate": {"POST": ["store", "month"]},
    "reports:package_action": {"POST": ["comment"]},
    # the report pages' month/week and store are their filter form's fields, harvested from the page
    "reports:report_xlsx": {"GET": ["month", "store", "year", "quarter"]},
    "reports:callbacks_weekly_xlsx": {"GET": ["week", "store"]},
    "reports:complaints_weekly_xlsx": {"GET": ["week", "store"]},
    "surveys:template_detail": {"GET": ["version"]},
    "crm:customer_list": LIST,  # q, card_type, store: the search form's fields
    "crm:sms_outbox": LIST,  # status, reason, direction, dates, store: the filter form's fields
    "crm:sms_inbound": {"POST": ["mobile", "text", "id", "received_at"]},
    "crm:sms_reply_enter": {"POST": ["mobile", "text"]},
    "crm:import_upload": {"POST": ["store"]},
    "winback:entry_list": LIST,  # month, service_advisor, result, recovered: the filter form's fields
    "winback:at_risk": LIST,
    "winback:reasons": {"GET": ["month"]},
    "winback:settings": {"POST": ["store"]},
    "improvement:audit_weeks": {"GET": ["store", "page"]},
    "improvement:meeting_list": LIST,
    "improvement:meeting_detail": {"GET": ["kind", "code"]},
    "improvement:action_list": {"GET": ["overdue", "page"]},
    "club:card_list": LIST,  # store, level, status, q: the filter form's fields
    "club:enrol": {"POST": ["vehicle"]},
    "club:activity_list": LIST,
    "appointments:board": {"GET": ["store", "day"]},
    "appointments:my_day": {"GET": ["day"]},
    "appointments:book": {"GET": ["customer", "callback_task", "day"], "POST": ["day"]},
    "appointments:slot_options": {"GET": ["store", "day", "booked_on"]},
    "appointments:set_state": {"POST": ["state", "next"]},
    "appointments:edit": {"POST": ["day"]},
    "appointments:settings": {"GET": ["store"]},
}
# POST-only URLs whose forms are drawn on another page: their field names are harvested there.
FORMS_ON = {
    "complaints:case_action": "complaints:case_detail",
    "complaints:calendar_policy_update": "complaints:calendar_detail",
    "complaints:calendar_periods_update": "complaints:calendar_detail",
    "complaints:calendar_days_add": "complaints:calendar_detail",
    "callbacks:hot_alert_close": "callbacks:hot_alert_list",
    "callbacks:grumble_update": "callbacks:grumble_detail",
    "callbacks:grumble_recall": "callbacks:grumble_detail",
    "complaints:attachment_upload": "complaints:case_detail",
    "reports:package_generate": "reports:package_list",
    "reports:package_action": "reports:package_detail",
    "surveys:template_create": "surveys:template_list",
    "crm:sms_reply_enter": "crm:sms_outbox",
    "improvement:action_create": "improvement:meeting_detail",
    "improvement:action_complete": "improvement:action_list",
    "improvement:action_sign_off": "improvement:action_list",
    "club:card_action": "club:card_detail",
    "appointments:set_state": "appointments:board",
}
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
NAME_RE = re.compile(r"""\bname="([^"]+)\"""")
NOT_PARAMS = {"csrfmiddlewaretoken"}
# Two roles that reach every view sweep (each split the work, to keep the walk under a minute): a
# store-level CR manager tries every hand-read parameter alone with every value, the group-level
# administrator every form; both every malformed path and all hand-read parameters at once. The
# other roles (the same code, mostly refused) send one request per URL and method with everything
# malformed at once, each role and URL taking another value.
SWEEP_ROLES = {Role.ADMINISTRATOR, Role.CR_MANAGER}
READ_SWEEP_ROLES = {Role.CR_MANAGER}
FORM_SWEEP_ROLES = {Role.ADMINISTRATOR}
ROLES = [*Role.values, "anonymous"]


def _patterns(resolver: URLResolver = None, prefix: str = "", namespace: str = ""):
    """(route, name, converters) of every URL pattern, recursively; the admin's own views skipped."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.urlconf_module is admin_site.urls[0] or getattr(entry, "app_name", None) == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, ns)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", {})
            yield route, f"{namespace}{entry.name}" if entry.name else route, converters


def _fill(route: str, values: dict[str, str]) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    return "/" + path.lstrip("^").rstrip("$")


class World:
    """One object of each kind the URLs name, in store A, and one user per role of store A."""

    def __init__(self):
        store = StoreFactory(code="LA", name="六安鑫宝丰田")
        StoreFactory(code="HF", name="合肥鑫宝丰田")
        self.users = {
            role: UserFactory(username=f"u-{role}", roles=[role], stores=[store], is_staff=role == Role.ADMINISTRATOR)
            for role in Role.values
        }
        task = SalesTaskFactory(delivery__store=store)
        alert_task = SalesTaskFactory(delivery__store=store)
        customer = CustomerFactory(store=store)
        case = make_case(store=store, customer=customer, received_at=timezone.now() - dt.timedelta(hours=2))
        template = Template.objects.order_by("id").first()
        question = template_latest_version(template=template).questions.order_by("order").first()
        policy_day = CalendarDay.objects.create(
            policy=self._policy(store),
            date=dt.date(2026, 12, 25),
            kind="holiday",
            name="测试",
        )
        notification = Notification.objects.create(
            recipient=self.users[Role.CR_MANAGER], kind="test", title="t", url="/complaints/cases/", dedup_key="t"
        )
        sms = SmsMessage.objects.create(
            store=store,
            customer=customer,
            mobile=customer.mobile,
            body="请回复1-10分",
            reason="callback_survey",
            queued_at=timezone.now(),
        )
        outreach = OutreachTask.objects.create(
            store=store,
            kind="first_service",
            customer=customer,
            window_opens_at=timezone.now() - dt.timedelta(days=1),
            window_closes_at=timezone.now() + dt.timedelta(days=5),
        )
        # The objects each int converter names, by URL name (a URL not listed takes the store).
        task_pk, case_pk = str(task.pk), str(case.pk)
        self.ids = {
            "retention:call": {"pk": str(outreach.pk)},
            "callbacks:call": {"pk": task_pk},
            "callbacks:call_touch": {"pk": task_pk},
            "callbacks:data_fix_edit": {
                "pk": str(
                    DataFixRecord.objects.create(
                        task=task, customer=task.customer, reported_at=timezone.now(), wrong_number="13900000000"
                    ).pk
                )
            },
            "callbacks:hot_alert_close": {
                "pk": str(HotAlert.objects.create(task=alert_task, raised_at=timezone.now(), reasons=["低分"]).pk)
            },
            "complaints:case_detail": {"pk": case_pk},
            "complaints:attachment_upload": {"pk": case_pk},
            "complaints:attachment_download": {"pk": case_pk, "attachment_id": self._attachment(case)},
            "complaints:attachment_delete": {"pk": case_pk, "attachment_id": self._attachment(case)},
            "complaints:case_action": {"pk": case_pk},
            "complaints:case_print": {"pk": case_pk},
            "complaints:notification_open": {"pk": str(notification.pk)},
            "complaints:calendar_day_delete": {"day_id": str(policy_day.pk)},
            "surveys:*": {"pk": str(template.pk), "code": question.code},
            "surveys:script_edit": {"pk": str(CallScript.objects.order_by("id").first().pk)},
            "crm:customer_detail": {"pk": str(customer.pk)},
            "crm:customer_edit": {"pk": str(customer.pk)},
            "crm:import_detail": {"pk": str(self._import_job(store).pk)},
            "crm:sms_mark_handled": {"pk": str(sms.pk)},
            "crm:sms_template_edit": {"pk": str(SmsTemplate.objects.order_by("id").first().pk)},
            "reports:dashboard_staff": {"pk": str(StaffFactory(store=store, role=StaffRole.SALES_CONSULTANT).pk)},
            "reports:package_detail": {"pk": str(self._package(store).pk)},
            "winback:entry_detail": {"pk": str(self._winback_entry(store).pk)},
        }
        # The administration pages: a user (not the administrator, who may not deactivate himself)
        # and a department of the store.
        user_pk = str(self.users[Role.CALLBACK_AGENT].pk)
        department = Department.objects.filter(store=store).order_by("id").first() or DepartmentFactory(store=store)
        self.ids["crm:user_edit"] = {"pk": user_pk}
        self.ids["crm:user_deactivate"] = {"pk": user_pk}
        self.ids["crm:store_edit"] = {"pk": str(store.pk)}
        self.ids["crm:department_create"] = {"store_pk": str(store.pk)}
        self.ids["crm:department_edit"] = {"store_pk": str(store.pk), "pk": str(department.pk)}
        self.ids["crm:import_errors"] = self.ids["crm:import_detail"]
        self.ids["reports:package_download"] = self.ids["reports:package_detail"]
        self.ids["reports:package_action"] = self.ids["reports:package_detail"]
        for name in ("grumble_detail", "grumble_update", "grumble_recall"):
            self.ids[f"callbacks:{name}"] = self.ids["callbacks:hot_alert_close"]
        self.store_id = str(store.pk)
        self._improvement(store)
        self._club(store)
        self._appointments(store)
        self._telephony(store, task)
        # Valid values of the slug/str converters that are not ids.
        from club.views import ACTIONS as CLUB_ACTIONS
        from complaints.actions import ACTIONS as CASE_ACTIONS
        from crm.selectors import CARD_SECTION_BY_KEY
        from reports.packages.views import ACTIONS as PACKAGE_ACTIONS
        from reports.registry import report_names

        self.slugs = {
            "complaints:case_action": {"action": [str(a) for a in CASE_ACTIONS]},
            "reports:package_action": {"action": list(PACKAGE_ACTIONS)},
            "reports:report": {"name": report_names()},
            "reports:report_xlsx": {"name": report_names()},
            "crm:customer_edit": {"section": list(CARD_SECTION_BY_KEY)},
            "club:card_action": {"action": list(CLUB_ACTIONS)},
            "telephony:upload": {"subject": ["callback", "outreach"]},
        }

    def _improvement(self, store):
        from improvement.audits import file_audit_sample
        from improvement.services import eqc_action_create, meeting_create
        from tests.factories import DeliveryFactory

        week = dt.date(2026, 10, 26)
        DeliveryFactory(store=store, delivered_on=week)
        file_audit_sample(store=store, week=week)
        meeting = meeting_create(
            store=store, user=self.users[Role.CR_MANAGER], held_on=dt.date(2026, 11, 2), attendees="经理"
        )
        action = eqc_action_create(
            meeting=meeting, kind="service", code="Q8", cause_analysis="c", measure="m", owner="o", due_on=week
        )
        self.ids["improvement:audit_checklist"] = {"week": week.isoformat()}
        for name in ("meeting_detail", "action_create"):
            self.ids[f"improvement:{name}"] = {"pk": str(meeting.pk)}
        for name in ("action_complete", "action_sign_off"):
            self.ids[f"improvement:{name}"] = {"pk": str(action.pk)}

    def _club(self, store):
        from club.services import activity_create, activity_participant_add
        from tests.club.factories import member_card

        card = member_card(store, points=500)
        activity = activity_create(store=store, name="自驾游", held_on=dt.date(2026, 10, 1), points=300)
        activity_participant_add(activity=activity, card=card, user=None)
        self.ids["club:card_detail"] = self.ids["club:card_action"] = {"pk": str(card.pk)}
        self.ids["club:enrol"] = {"customer_pk": str(card.customer_id)}
        self.ids["club:activity_detail"] = {"pk": str(activity.pk)}

    def _appointments(self, store):
        from tests.appointments.factories import booking

        today = booking(store, day=NOW.date(), now=NOW)
        self.ids["appointments:set_state"] = {"pk": str(today.pk)}
        ahead = booking(store, day=NOW.date() + dt.timedelta(days=1), now=NOW)  # stays booked: 改约 opens
        self.ids["appointments:edit"] = {"pk": str(ahead.pk)}

    @staticmethod
    def _attachment(case) -> str:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from complaints.models import CaseAttachment

        found = CaseAttachment.objects.filter(case=case).first()
        if found is None:
            found = CaseAttachment(
                case=case, original_name="x.pdf", content_type="application/pdf", size=9, uploaded_at=timezone.now()
            )
            found.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"), save=True)
        return str(found.pk)

    def _telephony(self, store, task):
        from django.core.files.base import ContentFile

        from telephony.models import CallRecord

        # A recorded call the administrator answered (the pop pages are the answering agent's own).
        call = CallRecord.objects.create(
            call_id="malformed-1", direction="in", store=store, agent=self.users[Role.ADMINISTRATOR],
            customer=task.customer, callback_task=task, started_at=timezone.now(), answered_at=timezone.now(),
        )  # fmt: skip
        call.recording.save("call.mp3", ContentFile(b"ID3"), save=False)
        call.recording_state, call.recording_content_type = "stored", "audio/mpeg"
        call.save()
        for name in ("recording", "pop_open", "pop_dismiss"):
            self.ids[f"telephony:{name}"] = {"pk": str(call.pk)}
        self.ids["telephony:upload"] = {"pk": str(task.pk)}

    @staticmethod
    def _policy(store):
        from complaints.calendar import policy_for_store

        return policy_for_store(store.pk)

    @staticmethod
    def _winback_entry(store):
        customer = customer_with_ro(store, local(dt.date(2025, 1, 5)))
        winback_scan(on=dt.date(2026, 11, 1), store_ids=[store.pk])
        return WinbackEntry.objects.get(customer=customer)

    @staticmethod
    def _import_job(store):
        return ImportJob.objects.create(store=store, file="imports/x.xlsx", original_name="x.xlsx")

    @staticmethod
    def _package(store):
        from reports.packages.approval import report_package_generate

        return report_package_generate(store=store, month=dt.date(2026, 10, 1), user=None)

    def path_values(self, name: str, converters) -> list[dict[str, str]]:
        """Valid path kwargs (first) and malformed ones, for the URL `name`."""
        known = {"store_id": self.store_id, **self.ids.get(f"{name.split(':')[0]}:*", {}), **self.ids.get(name, {})}
        valid = {}
        for kwarg, converter in converters.items():
            kind = type(converter).__name__
            if kwarg in known:
                valid[kwarg] = known[kwarg]
            elif kind == "IntConverter":
                valid[kwarg] = self.store_id
            else:
                valid[kwarg] = self.slugs.get(name, {}).get(kwarg, ["abc"])[0]
        variants = [valid]
        # Every other valid slug (each action, report, section) once, with clean parameters.
        for kwarg, choices in self.slugs.get(name, {}).items():
            variants += [{**valid, kwarg: choice} for choice in choices[1:]]
        for kwarg, converter in converters.items():
            if type(converter).__name__ == "IntConverter":
                bad = ["0", "9" * 30]  # the converter lets through only digits
            elif type(converter).__name__ == "SlugConverter":
                bad = ["abc", "a" * 300]
            else:
                bad = ["²", "abc", "%00", "é" * 300]
            variants += [{**valid, kwarg: value} for value in bad]
        return variants


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield World()


def _form_names(response) -> dict[str, set[str]]:
    """The field names of the page's forms, by the method they are sent with."""
    names: dict[str, set[str]] = {"GET": set(), "POST": set()}
    if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return names
    for attrs, body in FORM_RE.findall(response.content.decode()):
        method = "POST" if re.search(r"method=.post", attrs, re.I) else "GET"
        names[method] |= set(NAME_RE.findall(body)) - NOT_PARAMS
    return names


class Walk:
    def __init__(self, world: World, role: str):
        self.user = world.users.get(role)
        self.client = Client(raise_request_exception=True, HTTP_X_SMS_SECRET="test-inbound-secret")
        self._login()
        self.failures: list[str] = []
        self.count = 0

    def _login(self):
        if self.user is not None:
            self.client.force_login(self.user)

    def send(self, method: str, url: str, params: dict[str, str]):
        self.count += 1
        try:
            response = self.client.get(url, params) if method == "GET" else self.client.post(url, params)
        except Exception as exc:  # the 500 the test exists to catch; say what broke
            self.failures.append(f"{method} {url} {params!r}: {type(exc).__name__}: {exc}"[:400])
            return None
        finally:
            if url.startswith("/accounts/logout/"):
                self._login()  # the walk goes on as the same user
        # /healthz answers 503 by design while beat and the workers have no heartbeat (none run here).
        if response.status_code >= 500 and not (url == "/healthz" and response.status_code == 503):
            self.failures.append(f"{method} {url} {params!r}: HTTP {response.status_code}")
        location = response.get("Location")
        # (Only the start: past 2,048 characters the check refuses any URL, and ours carry long values.)
        if response.status_code in (301, 302, 303, 307, 308) and not url_has_allowed_host_and_scheme(
            location[:1000], allowed_hosts={"testserver"}
        ):
            self.failures.append(f"{method} {url} {params!r}: redirects off the site to {location!r}")
        return response


@pytest.mark.parametrize("role", ROLES)
def test_no_malformed_parameter_gives_a_500(world, role):
    walk = Walk(world, role)
    sweep = role in SWEEP_ROLES
    not_found: list[str] = []
    with time_machine.travel(NOW, tick=False):
        patterns = list(_patterns())
        routes = {name: (route, conv) for route, name, conv in patterns}
        for index, (route, name, converters) in enumerate(patterns):
            variants = world.path_values(name, converters)
            url = _fill(route, variants[0])
            page = walk.send("GET", url, {})
            if page is not None and page.status_code == 404:
                not_found.append(name)
            forms = _form_names(page)
            if name in FORMS_ON:
                source_route, source_converters = routes[FORMS_ON[name]]
                source = _fill(source_route, world.path_values(FORMS_ON[name], source_converters)[0])
                forms = _form_names(walk.send("GET", source, {}))
            for method in ("GET", "POST"):
                reads = set(READS.get(name, {}).get(method, []))
                fields = forms[method] - reads
                if not sweep:
                    value = MALFORMED[(ROLES.index(role) + index) % len(MALFORMED)]
                    walk.send(method, url, dict.fromkeys(reads | fields, value))
                    continue
                for kwargs in variants[1:]:
                    walk.send(method, _fill(route, kwargs), {})
                # A hand-read parameter at a time (the first malformed one read answers 400 and
                # would hide the others), then all at once (a view may read one only when another
                # is there); a form's fields all at once (a form checks every field).
                for param in sorted(reads) if role in READ_SWEEP_ROLES else []:
                    for value in MALFORMED:
                        walk.send(method, url, {param: value})
                if len(reads) > 1:
                    for value in MALFORMED:
                        walk.send(method, url, dict.fromkeys(reads, value))
                if fields and role in FORM_SWEEP_ROLES:
                    for value in FORM_VALUES:
                        walk.send(method, url, dict.fromkeys(fields, value))
    if role == Role.ADMINISTRATOR:
        # The ids filled in name real objects: the administrator, who sees them all, finds every
        # page but the import's error file (it has none), the CR manager's own notification, the
        # call recording (listening to customers' calls is not an administrator's job: telephony)
        # and the customer's survey page (its token is no id: any other value is an unknown link).
        assert not_found == [
            "complaints:notification_open",
            "surveylink:page",
            "telephony:recording",
            "crm:import_errors",
        ]
    assert walk.failures == [], f"{len(walk.failures)} of {walk.count} requests failed:\n" + "\n".join(
        walk.failures[:200]
    )


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_walk_reaches_every_app_and_the_inbound_endpoint():
    """The walk itself: it finds the app views and the SMS gateway's endpoint, and no admin view."""
    names = {name for _route, name, _conv in _patterns()}
    assert {"crm:sms_inbound", "callbacks:manager_queue", "reports:package_generate", "surveys:question_edit"} <= names
    assert {"complaints:notification_mark_all_read", "login", "set_language"} <= names
    assert not [n for n in names if n.startswith("admin:")]
