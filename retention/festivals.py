"""A store's festival calendar (节日祝福, SPEC §10.2): 元旦 and 国庆 on fixed days, 春节, 元宵, 端午 and
中秋 on lunar dates converted by lunar_python (6tail's maintained, tested Chinese calendar), not by
tables of our own."""

import datetime as dt

from django.utils import timezone
from lunar_python import Lunar

from crm.models import Store
from retention.choices import Festival
from retention.models import FestivalDate

SEED_YEARS = range(2024, 2031)

_LUNAR = {
    Festival.SPRING: (1, 1),
    Festival.LANTERN: (1, 15),
    Festival.DRAGON_BOAT: (5, 5),
    Festival.MID_AUTUMN: (8, 15),
}
_SOLAR = {Festival.NEW_YEAR: (1, 1), Festival.NATIONAL_DAY: (10, 1)}


def festival_dates(year: int) -> dict[str, dt.date]:
    """Each festival's solar date in `year` (the lunar ones of the lunar year that starts in it)."""
    out = {code: dt.date(year, m, d) for code, (m, d) in _SOLAR.items()}
    for code, (m, d) in _LUNAR.items():
        solar = Lunar.fromYmd(year, m, d).getSolar()
        out[code] = dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
    return out


def festival_calendar_seed(*, store: Store, years=SEED_YEARS) -> int:
    """Put `years`' festivals on the store's calendar (idempotent: a date already there is kept, and
    a festival the manager moved within a year is not added again). Returns how many were added."""
    have = {(code, day.year) for code, day in FestivalDate.objects.filter(store=store).values_list("festival", "date")}
    rows = [
        FestivalDate(store=store, festival=code, date=day)
        for year in years
        for code, day in festival_dates(year).items()
        if (code, day.year) not in have
    ]
    FestivalDate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def festival_calendar_ensure(*, store: Store, today: dt.date | None = None) -> None:
    """Seed a store's calendar with the years it needs: SEED_YEARS the first time (a store created
    after the migration), then this year and the next as the years go by, so that greetings never stop
    after the last seeded year. A year that already holds any festival date of the store is the
    manager's (a festival deleted there stays deleted)."""
    today = today or timezone.localdate()
    held = set(FestivalDate.objects.filter(store=store).dates("date", "year").values_list("date__year", flat=True))
    wanted = set(SEED_YEARS) if not held else {today.year, today.year + 1}
    missing = sorted(wanted - held)
    if missing:
        festival_calendar_seed(store=store, years=missing)
