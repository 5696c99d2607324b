"""Service appointments at the SPEC §12 scale (issue 15 item 2): 150,000 bookings spread over eight
months of days in the ten stores (15,000 a store, about 60 a store-day: a busy service drive), then the day
board of one store's day (target under 100 ms, queries constant) for a store CR manager and for
the group CR head, and the advisor-free booking check under the slot lock.

Everything runs in one transaction that is rolled back: the scale database keeps no rows.
"""

from __future__ import annotations

import contextlib
import time

N_BOOKINGS = 150_000
DAYS = 240

INSERT_SQL = """
WITH v AS (
    SELECT id, store_id, owner_id, row_number() OVER (PARTITION BY store_id ORDER BY id) AS rn
    FROM crm_vehicle WHERE owner_id IS NOT NULL
), sa AS (
    SELECT store_id, min(id) AS id FROM crm_staff WHERE role = 'sa' GROUP BY store_id
)
INSERT INTO appointments_appointment (store_id, customer_id, vehicle_id, day, slot, service_type, advisor_id,
                                      source, state, note, created_at)
SELECT v.store_id, v.owner_id, v.id,
       %(first)s::date + (v.rn %% %(days)s)::int,
       time '08:30' + ((v.rn / %(days)s) %% 18) * interval '30 minutes',
       'maintenance', sa.id, 'inbound',
       CASE WHEN %(first)s::date + (v.rn %% %(days)s)::int < %(today)s THEN 'arrived' ELSE 'booked' END,
       '', now()
FROM v LEFT JOIN sa ON sa.store_id = v.store_id
WHERE v.rn <= %(per_store)s
"""


def bench_appointments(report, runs: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from appointments.choices import ServiceType, Source
    from appointments.models import Appointment
    from appointments.services import SlotFull, appointment_book
    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back
    from crm.models import Store, User, Vehicle

    today = timezone.localdate()
    with rolled_back():
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                INSERT_SQL,
                {"per_store": N_BOOKINGS // 10, "days": DAYS, "first": today - dt.timedelta(days=180), "today": today},
            )
            made = cursor.rowcount
            cursor.execute("ANALYZE appointments_appointment")
            setup_s = time.perf_counter() - started
        report.add(Figure("appointments: bookings inserted (set-based, setup)", setup_s, "s", note=f"{made:,}"))
        for username, who in (("s01_crm", "store CR manager"), ("group_cr", "group CR head, 10 stores")):
            user = User.objects.get(username=username)
            store = user.stores.order_by("id").first() or Store.objects.order_by("id").first()
            client = client_for(username)
            store_id = store.pk
            url = f"{reverse('appointments:board')}?store={store_id}&day={today.isoformat()}"
            request = get_ok(client, url)
            rows = Appointment.objects.filter(store_id=store_id, day=today).count()
            ms = median_ms(request, runs)
            report.add(
                Figure(
                    f"appointments day board ({who})",
                    ms,
                    "ms",
                    100,
                    "< 100 ms",
                    note=f"{count_queries(request)} queries; {rows} bookings that day; {made:,} in the table",
                )
            )
        # One booking through the service (slot lock, capacity count, insert, confirmation SMS).
        vehicle = Vehicle.objects.filter(owner__isnull=False).select_related("owner").order_by("-id").first()
        day = today + dt.timedelta(days=200)  # a day the setup left empty

        def book():
            with contextlib.suppress(SlotFull):  # capacity 4: the later runs are refused at the count
                appointment_book(
                    customer=vehicle.owner,
                    vehicle=vehicle,
                    store=vehicle.store,
                    day=day,
                    slot=dt.time(9, 0),
                    service_type=ServiceType.MAINTENANCE,
                    source=Source.INBOUND,
                )

        ms = median_ms(book, min(runs, 4))
        report.add(Figure("appointments: one booking (slot lock + capacity check)", ms, "ms", note="median"))
