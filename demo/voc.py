"""The `seed_demo` step of the voice of the customer (idempotent): the verbatims the earlier steps
recorded (questionnaire remarks, call notes, complaints) are tagged with the starting topics; the
suggestions that ask for something older than two weeks have had their feedback call; and the
successful calls carry the customer's mood as the agent heard it (by the overall score). Every third
feedback call says the suggestion was adopted (a member earns 200 points)."""

import datetime as dt

from django.utils import timezone

from callbacks.choices import Disposition, Mood
from callbacks.models import CallAttempt
from crm.choices import Role
from crm.models import Store, User
from demo.context import DemoContext
from voc import services
from voc.models import VocEntry

FEEDBACK_NOTES = ["已反馈改进情况，客户表示满意", "已告知客户门店的改进措施，客户认可", "已回电致谢，客户表示下次再来"]
# The overall score's mood: the demo's agents hear what the score says.
MOOD_BY_SCORE = [
    ((9, 10), Mood.GLAD),
    ((8, 8), Mood.PLEASED),
    ((6, 7), Mood.CALM),
    ((4, 5), Mood.SAD),
    ((1, 3), Mood.ANGRY),
]


def seed_voc_demo(ctx: DemoContext) -> None:
    for (low, high), mood in MOOD_BY_SCORE:
        CallAttempt.objects.filter(
            disposition=Disposition.SUCCESS, mood="", task__overall_score__gte=low, task__overall_score__lte=high
        ).update(mood=mood)
    counts = services.voc_tag_new()
    cutoff = timezone.now() - dt.timedelta(days=14)
    called = 0
    for store in ctx.data.get("stores") or Store.objects.order_by("code"):
        agent = (
            User.objects.filter(groups__name=Role.CALLBACK_AGENT, stores=store, is_active=True).order_by("id").first()
        )
        if agent is None:
            continue
        waiting = VocEntry.objects.filter(
            store=store, needs_feedback=True, feedback_at__isnull=True, said_at__lt=cutoff
        ).order_by("id")
        for index, entry in enumerate(waiting):
            # every third one adopted: its customer, when a member, earns the club's 200 points
            services.voc_feedback_record(
                entry=entry, user=agent, note=FEEDBACK_NOTES[index % len(FEEDBACK_NOTES)], adopted=index % 3 == 0
            )
            called += 1
    ctx.stdout.write(f"voc: tagged {sum(counts.values())} verbatims, {called} feedback calls")
