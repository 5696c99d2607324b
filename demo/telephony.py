"""seed_demo step: the telephone system — extensions for the demo agent and CR manager, each store's
recording retention, and a call (with its talk time) behind the recent callback attempts, a few of
them with a short recording, so that the call pages, the customer timeline and the daily report's
talk time show something real.

Idempotent: extensions and settings are get_or_create; a call's id is made from its attempt's id
("demo-<attempt>"), so a second run adds nothing. The recordings are a second of a generated tone
(the standard library's `wave`), written through the Storage API as any recording is.
"""

import datetime as dt
import io
import math
import struct
import wave

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from callbacks.choices import AttemptSource
from callbacks.models import CallAttempt
from crm.models import Store, User
from demo.context import DemoContext
from telephony.choices import Direction, RecordingState
from telephony.models import AgentExtension, CallRecord, StoreRecordingSettings

EXTENSIONS = {"agent": "8001", "crmanager": "8002"}  # demo.crm's logins
RECENT_DAYS = 30
RECORDED_SHARE = 0.2
TALK_SECONDS = {"成功": (120, 420), "预约": (40, 90), "拒接": (10, 40)}


def _tone_wav(seconds: float = 1.0, hertz: int = 440, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(6000 * math.sin(2 * math.pi * hertz * i / rate))) for i in range(int(rate * seconds))
        )
        out.writeframes(frames)
    return buffer.getvalue()


def _ensure_extensions() -> None:
    for username, extension in EXTENSIONS.items():
        user = User.objects.filter(username=username).first()
        if user is not None and not AgentExtension.objects.filter(Q(user=user) | Q(extension=extension)).exists():
            AgentExtension.objects.create(user=user, extension=extension)


def seed_telephony_demo(ctx: DemoContext) -> None:
    _ensure_extensions()
    for store in Store.objects.all():
        StoreRecordingSettings.objects.get_or_create(store=store)
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    attempts = (
        CallAttempt.objects.filter(at__gte=since, agent__isnull=False, source=AttemptSource.CALL)
        .select_related("task__customer", "agent")
        .order_by("id")
    )
    done = set(CallRecord.objects.filter(call_id__startswith="demo-").values_list("call_id", flat=True))
    tone = None
    made = recorded = 0
    for attempt in attempts.iterator(chunk_size=500):
        call_id = f"demo-{attempt.pk}"
        if call_id in done:
            continue
        span = TALK_SECONDS.get(attempt.disposition)
        seconds = ctx.rng.randint(*span) if span else 0
        started = attempt.at - dt.timedelta(seconds=seconds + 30)
        record = CallRecord.objects.create(
            call_id=call_id,
            direction=Direction.OUTBOUND,
            store_id=attempt.task.store_id,
            agent=attempt.agent,
            extension=EXTENSIONS["agent"],
            number=attempt.task.customer.mobile,
            customer_id=attempt.task.customer_id,
            callback_task_id=attempt.task_id,
            call_attempt=attempt,
            started_at=started,
            answered_at=started + dt.timedelta(seconds=8) if seconds else None,
            ended_at=started + dt.timedelta(seconds=seconds + 8),
            duration_seconds=seconds,
        )
        made += 1
        if seconds and ctx.rng.random() < RECORDED_SHARE:
            tone = tone or _tone_wav()
            record.recording.save("call.wav", ContentFile(tone), save=False)
            record.recording_state = RecordingState.STORED
            record.recording_content_type = "audio/wav"
            record.recording_size = len(tone)
            record.recording_stored_at = record.ended_at
            record.save()
            recorded += 1
    ctx.stdout.write(f"telephony: {made} calls ({recorded} recorded) behind the last {RECENT_DAYS} days' attempts")
