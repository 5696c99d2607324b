"""The built-in questionnaires and scripts created by the data migration match SPEC §7 exactly."""

import pytest
from django.db import IntegrityError, transaction

from surveys.choices import Satisfaction, satisfaction_bucket
from surveys.models import CallScript, Question, Template

pytestmark = pytest.mark.django_db

# Written out from SPEC §7, independently of the migration: (code, type, overall, negative, text).
SALES = [
    ("Q0", "score", True, "", "综合考虑,您对本次购车经历的总体满意程度如何?"),
    ("Q1", "score", False, "", "对于在销售顾问接待您之前等待时间的长短,您的满意程度如何?"),
    ("Q2", "score", False, "", "对于销售顾问向您提供感兴趣车型详细信息能力方面,您的满意程度如何?"),
    ("Q3", "yes_no", False, "否", "在您购买新车前,销售顾问是否向您建议过试乘试驾?"),
    ("Q4", "yes_no", False, "否", "请问销售顾问现场交车的时间是否符合您的要求?"),
    ("Q5", "yes_no", False, "是", "交车时,车辆燃油警示灯是否亮起?"),
    ("Q6", "yes_no", False, "否", "交车时,销售人员是否解答了您提出的所有问题?"),
    ("Q7", "score", False, "", "交车时,销售顾问就您车辆使用和维护保养方面作出的介绍,您的满意程度如何?"),
    ("Q8", "yes_no", False, "否", "新车交付后销售顾问是否与您取得联系,了解您的车辆使用状况?"),
    (
        "Q9",
        "yes_no",
        False,
        "否",
        "销售人员是否向您介绍了服务顾问?服务顾问有没有提醒您首次保养的时间,并留下了联系方式?",
    ),
    ("Q10", "yes_no", False, "否", "请问,结算时您对财务人员的工作效率及服务态度是否满意?"),
    ("Q11", "text", False, "", "请问您对我们的产品和服务还有什么其他意见或建议吗?"),
]
SERVICE = [
    ("Q1", "score", True, "", "您这次到店对我们的服务总体是否满意呢?"),
    ("Q2", "yes_no", False, "否", "您到店时是否有服务顾问及时接待并热情地问候您?"),
    ("Q3", "yes_no", False, "否", "您到店时服务顾问是否对您车辆的外观进行了检查并说明?"),
    (
        "Q4",
        "choice",
        False,
        "",
        "服务顾问是否向您说明本次保养/维修项目、费用、时间,并请您在施工单上签字确认?",
    ),
    ("Q5", "yes_no", False, "否", "服务顾问是否按时交车?"),
    ("Q6", "yes_no", False, "否", "是否有人向您解释了收费内容及作业项目(含实车确认)?"),
    ("Q7", "yes_no", False, "否", "交车时,接待人员是否向您宣传我们的预约服务并向您提供下次保养建议?"),
    ("Q8", "yes_no", False, "否", "交车时服务顾问是否向您展示旧件?"),
    ("Q9", "score", False, "", "对于我们维修技术人员诊断车辆问题的能力,您是否满意?"),
    ("Q10", "score", False, "", "您对车辆的维修/保养/钣喷质量及作业时间是否满意?"),
    ("Q11", "text", False, "", "请问您对我们的产品和服务还有什么其他意见或建议吗?"),
]


def _questions(code):
    template = Template.objects.get(code=code)
    version = template.versions.get()
    return template, list(version.questions.order_by("order"))


@pytest.mark.parametrize(
    ("code", "name", "expected"), [("sales", "销售回访问卷", SALES), ("service", "售后回访问卷", SERVICE)]
)
def test_builtin_template_matches_spec(code, name, expected):
    template, questions = _questions(code)
    assert (template.name, template.kind, template.is_active) == (name, code, True)
    got = [(q.code, q.type, q.is_overall, q.negative_answer, q.text) for q in questions]
    assert got == expected


def test_service_q4_choices_and_negative_choice():
    _, questions = _questions("service")
    q4 = next(q for q in questions if q.code == "Q4")
    assert q4.choices == ["详细说明", "部分说明", "未说明"]
    assert q4.negative_choices == ["未说明"]
    assert all(q.choices == [] and q.negative_choices == [] for q in questions if q.code != "Q4")


def test_builtin_call_scripts_each_with_a_do_not_say_line():
    scripts = {s.code: s for s in CallScript.objects.all()}
    assert set(scripts) == {
        "opening_sales",
        "opening_service",
        "cant_hear",
        "wrong_number",
        "complaint",
        "closing_sales",
        "closing_service",
    }
    assert all(s.say and s.do_not_say for s in scripts.values())
    assert "{称呼}" in scripts["opening_sales"].say and "喂,说话呀" in scripts["opening_sales"].do_not_say
    assert scripts["opening_sales"].kind == "sales" and scripts["cant_hear"].kind == "all"
    assert "提车" in scripts["closing_sales"].say and "维修" in scripts["closing_service"].say


def test_one_overall_question_per_version_and_it_is_a_score():
    _, questions = _questions("sales")
    version = questions[0].version
    with transaction.atomic(), pytest.raises(IntegrityError):
        Question.objects.create(version=version, code="QX", text="x", type="score", is_overall=True)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Question.objects.create(version=version, code="QY", text="x", type="yes_no", is_overall=True)


def test_one_active_template_per_kind():
    with transaction.atomic(), pytest.raises(IntegrityError):
        Template.objects.create(code="sales2", name="x", kind="sales", is_active=True)
    Template.objects.create(code="sales2", name="x", kind="sales", is_active=False)


@pytest.mark.parametrize(
    ("score", "bucket"),
    [
        (10, Satisfaction.FULLY),
        (8, Satisfaction.FULLY),
        (7, Satisfaction.BASICALLY),
        (6, Satisfaction.BASICALLY),
        (5, Satisfaction.DISSATISFIED),
        (1, Satisfaction.DISSATISFIED),
        (None, None),
    ],
)
def test_satisfaction_bucket(score, bucket):
    assert satisfaction_bucket(score) == bucket


def test_builtins_come_back_after_a_flush_but_edits_stay():
    """A flush (transactional tests, manage.py flush) emits post_migrate; the call page must still
    find its questionnaires. Existing templates and scripts are never touched."""
    from surveys.apps import builtin_ensure

    CallScript.objects.filter(code="complaint").update(say="改过的话术")
    Template.objects.filter(code="service").delete()
    builtin_ensure()
    assert CallScript.objects.get(code="complaint").say == "改过的话术"
    _template, questions = _questions("service")
    assert [q.code for q in questions] == [row[0] for row in SERVICE]
