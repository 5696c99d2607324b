"""The grumble rules, each written once: which hot alert is a grumble, when a grumble is done
(处理完毕), and what its content (用户抱怨内容和用户要求) says. The register, the grumble page, the
customer timeline, table 5 and the re-call service all go through these."""

from django.db.models import Exists, OuterRef, Q

from callbacks.models import Grumble, HotAlert
from complaints.models import Case
from crm.masking import mask_text

STATUS_OPEN, STATUS_DONE = "open", "done"


def not_a_case_filter() -> Q:
    """THE grumble rule: a hot alert no complaint case was filed from (Case.hot_alert, complaints'
    one link to callbacks, served by its foreign-key index)."""
    return ~Exists(Case.objects.filter(hot_alert_id=OuterRef("pk")))


def done_filter() -> Q:
    """处理完毕, on hot alerts: the handled date is written (the model's check makes it carry the
    handling and its summary). The database's form of `grumble_is_done`."""
    return Q(grumble__handled_on__isnull=False)


def grumble_is_done(record: Grumble | None) -> bool:
    """处理完毕, on one grumble's table-5 row (None: not handled yet). Python's form of `done_filter`."""
    return record is not None and record.handled_on is not None


def grumble_record(alert: HotAlert) -> Grumble | None:
    """The alert's table-5 row, None while nobody has recorded its handling."""
    try:
        return alert.grumble
    except Grumble.DoesNotExist:
        return None


def grumble_content(alert: HotAlert, record: Grumble | None, *, full: bool = True) -> str:
    """What the customer complained of and asks: as the CR staff wrote it, else the alert's reasons.
    They carry the customer's own words: without `full`, the numbers said in them are masked."""
    content = record.content if record is not None and record.content else "；".join(alert.reasons)
    return content if full else mask_text(content)
