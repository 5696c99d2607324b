"""The `seed_demo` step of the improvement app (idempotent): per demo store, the file-audit samples of
the last four weeks (the older weeks checked, a few files 异常, the latest week half done), and two
improvement meetings — one of four months ago whose actions have their 检核结果 and the GM's
sign-off, one of this month whose actions are under way (one of them overdue)."""

import datetime as dt
import random

from django.utils import timezone

from crm.choices import Role
from crm.models import Staff, Store, User
from crm.periods import add_months
from demo.context import DemoContext
from improvement import audits, services
from improvement.choices import AuditStatus
from improvement.models import FileAudit, ImprovementMeeting

ABNORMAL = [
    ("交车确认单缺客户签字", "销售顾问补签并在交车前核对签字栏"),
    ("身份证复印件缺失", "补充复印件，交车资料清单增加此项"),
    ("施工单未请客户签字确认", "服务顾问开单时请客户签字，班前会强调"),
    ("结算单与工单项目不一致", "核对并重打结算单，财务复核"),
]
# (kind, code, cause, measure, owner)
ACTIONS = [
    ("sales", "Q3", "销售顾问未主动邀约试乘试驾", "每位客户接待时邀约试驾并在系统登记", "销售经理"),
    ("service", "Q8", "交车时未主动展示旧件", "旧件统一装袋放副驾位置，交车时展示", "服务经理"),
    ("service", "Q4", "开单时未逐项说明费用", "开单话术培训，施工单签字确认", "服务经理"),
    ("sales", "Q8", "交车后未按时回访", "交车后第3天由销售顾问电话关怀并登记", "销售经理"),
]


def _user(role: str, store: Store) -> User | None:
    return User.objects.filter(groups__name=role, stores=store, is_active=True).order_by("id").first()


def _check_audits(store: Store, week: dt.date, agent: User | None, rng: random.Random, share: float) -> None:
    rows = list(FileAudit.objects.filter(store=store, week=week, status="").order_by("position"))
    staff = list(Staff.objects.filter(store=store).order_by("id")[:20])
    for audit in rows[: round(len(rows) * share)]:
        if staff and rng.random() < 0.15:
            description, measure = rng.choice(ABNORMAL)
            audits.file_audit_record(
                audit=audit,
                user=agent,
                status=AuditStatus.ABNORMAL,
                abnormal_description=description,
                improvement_measure=measure,
                responsible=rng.choice(staff),
            )
        else:
            audits.file_audit_record(audit=audit, user=agent, status=AuditStatus.NORMAL)


def _meeting(store: Store, chair: User, held_on: dt.date, minutes: str) -> ImprovementMeeting:
    return services.meeting_create(
        store=store,
        user=chair,
        held_on=held_on,
        attendees="总经理、客关部经理、销售经理、服务经理、回访专员",
        minutes=minutes,
    )


def seed_improvement_demo(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for store in ctx.data.get("stores") or Store.objects.order_by("code"):
        rng = random.Random(f"improvement:{store.code}")
        agent = _user(Role.CALLBACK_AGENT, store)
        latest = audits.audit_week_for(today)
        for back in range(4):
            week = latest - dt.timedelta(days=7 * back)
            if audits.file_audit_sample(store=store, week=week):
                _check_audits(store, week, agent, rng, share=0.5 if back == 0 else 1.0)
        chair, gm = _user(Role.CR_MANAGER, store), _user(Role.GENERAL_MANAGER, store)
        if chair is None or ImprovementMeeting.objects.filter(store=store).exists():
            continue
        old = _meeting(
            store,
            chair,
            add_months(today.replace(day=1), -4) + dt.timedelta(days=5),
            "上月弱项分析，决议两项改善措施。",
        )
        for kind, code, cause, measure, owner in ACTIONS[:2]:
            action = services.eqc_action_create(
                meeting=old,
                kind=kind,
                code=code,
                cause_analysis=cause,
                measure=measure,
                owner=owner,
                due_on=old.held_on + dt.timedelta(days=30),
            )
            services.eqc_action_complete(action=action, on=old.held_on + dt.timedelta(days=25))
            if gm is not None:
                services.eqc_action_sign_off(action=action, user=gm, note="同意，持续跟踪")
        new = _meeting(store, chair, today.replace(day=1), "本月弱项讨论，新增两项措施。")
        for index, (kind, code, cause, measure, owner) in enumerate(ACTIONS[2:]):
            # The first one is past its due date and not done: the landing pages show it as overdue.
            due = today - dt.timedelta(days=1) if index == 0 else today + dt.timedelta(days=20)
            services.eqc_action_create(
                meeting=new, kind=kind, code=code, cause_analysis=cause, measure=measure, owner=owner, due_on=due
            )
        ctx.stdout.write(f"improvement: audits of 4 weeks and 2 meetings for {store.code}")
