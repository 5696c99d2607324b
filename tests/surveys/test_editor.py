"""The template and script editors: versioning on edit, the rules of a question, permissions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.models import CallScript, Question, Template, TemplateVersion
from surveys.selectors import template_current_version
from surveys.services import (
    question_delete,
    question_save,
    response_record,
    template_activate,
    template_create,
)
from tests.callbacks.factories import SalesTaskFactory

pytestmark = pytest.mark.django_db


def _sales():
    return Template.objects.get(code="sales")


def _answer_once(store):
    task = SalesTaskFactory(delivery__store=store)
    return response_record(task=task, answers={"Q0": 9, "Q3": "否"})


# --- services ------------------------------------------------------------------------------------


def test_editing_an_unanswered_version_changes_it_in_place(cr_manager):
    question, created = question_save(
        template=_sales(),
        user=cr_manager,
        original_code="Q1",
        code="Q1",
        text="等待时间是否合适?",
        type="score",
        order=1,
    )
    assert not created and question.version.number == 1
    assert TemplateVersion.objects.filter(template=_sales()).count() == 1
    assert template_current_version(kind="sales").questions.get(code="Q1").text == "等待时间是否合适?"


def test_editing_an_answered_version_makes_a_new_one_and_old_answers_keep_theirs(store_a, cr_manager):
    old_response = _answer_once(store_a)
    old_q3 = old_response.answers.get(question__code="Q3").question
    question, created = question_save(
        template=_sales(),
        user=cr_manager,
        original_code="Q3",
        code="Q3",
        text="销售顾问是否主动邀请您试驾?",
        type="yes_no",
        order=3,
        negative_answer="否",
    )
    assert created and question.version.number == 2 and question.version.created_by == cr_manager
    v2 = template_current_version(kind="sales")
    assert v2 == question.version and v2.questions.count() == 12 and not v2.is_frozen
    # The old answer still points at v1's question, with v1's text.
    old_q3.refresh_from_db()
    assert old_q3.version.number == 1 and old_q3.text == "在您购买新车前,销售顾问是否向您建议过试乘试驾?"
    assert old_response.answers.get(question__code="Q3").question_id == old_q3.pk
    # A second edit before anyone answers v2 stays in v2.
    _q, created = question_save(
        template=_sales(), user=cr_manager, code="Q12", text="是否愿意推荐朋友来店?", type="yes_no", order=12
    )
    assert not created and TemplateVersion.objects.filter(template=_sales()).count() == 2
    # New calls are asked (and validated against) v2.
    new_response = _answer_once(store_a)
    assert new_response.version == v2 and new_response.answers.get(question__code="Q3").question.version == v2


def test_add_choice_question_with_negative_choice(cr_manager):
    with pytest.raises(ValidationError) as info:
        question_save(
            template=_sales(),
            user=cr_manager,
            code="Q12",
            text="您从哪里了解到我们?",
            type="choice",
            choices=["朋友介绍", "网络", "网络"],
            negative_choices=["电视"],
        )
    assert set(info.value.message_dict) == {"choices", "negative_choices"}
    question, _ = question_save(
        template=_sales(),
        user=cr_manager,
        code="Q12",
        text="交车仪式您觉得如何?",
        type="choice",
        choices=["很隆重", "一般", "没有仪式"],
        negative_choices=["没有仪式"],
    )
    assert question.choices == ["很隆重", "一般", "没有仪式"] and question.negative_choices == ["没有仪式"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Q3"}, "code"),  # taken
        ({"is_overall": True, "type": "yes_no"}, "is_overall"),
        ({"negative_answer": "是", "type": "score"}, "negative_answer"),
        ({"choices": ["a", "b"], "type": "text"}, "choices"),
    ],
)
def test_question_rules(cr_manager, changes, field):
    values = {"code": "Q12", "text": "新问题?", "type": "score", **changes}
    with pytest.raises(ValidationError) as info:
        question_save(template=_sales(), user=cr_manager, **values)
    assert field in info.value.message_dict
    assert not Question.objects.filter(text="新问题?").exists()


def test_overall_moves_but_never_disappears(store_a, cr_manager):
    _answer_once(store_a)
    with pytest.raises(ValidationError):
        question_save(
            template=_sales(),
            user=cr_manager,
            original_code="Q0",
            code="Q0",
            text="总体?",
            type="score",
            is_overall=False,
        )
    with pytest.raises(ValidationError):
        question_delete(template=_sales(), user=cr_manager, code="Q0")
    assert TemplateVersion.objects.filter(template=_sales()).count() == 1  # failed edits made no version
    question_save(
        template=_sales(), user=cr_manager, original_code="Q1", code="Q1", text="等待?", type="score", is_overall=True
    )
    v2 = template_current_version(kind="sales")
    assert list(v2.questions.filter(is_overall=True).values_list("code", flat=True)) == ["Q1"]


def test_delete_from_answered_version_makes_new_version(store_a, cr_manager):
    _answer_once(store_a)
    assert question_delete(template=_sales(), user=cr_manager, code="Q5") is True
    v2 = template_current_version(kind="sales")
    assert v2.number == 2 and not v2.questions.filter(code="Q5").exists()
    assert TemplateVersion.objects.get(template=_sales(), number=1).questions.filter(code="Q5").exists()


def test_new_template_activates_in_place_of_the_old(cr_manager):
    template = template_create(code="sales-2027", name="销售回访问卷 2027", kind="sales", user=cr_manager)
    assert not template.is_active and template.versions.get().questions.get().is_overall
    template_activate(template=template)
    assert template_current_version(kind="sales").template == template
    assert not Template.objects.get(code="sales").is_active


# --- pages and permissions -----------------------------------------------------------------------


def test_pages_render_for_manager(cr_manager, client_for, store_a):
    _answer_once(store_a)
    client = client_for(cr_manager)
    body = client.get(reverse("surveys:template_list")).content.decode()
    assert "销售回访问卷" in body and "售后回访问卷" in body
    detail = client.get(reverse("surveys:template_detail", args=[_sales().pk])).content.decode()
    assert 'id="frozen-note"' in detail and "综合考虑,您对本次购车经历的总体满意程度如何?" in detail
    assert client.get(reverse("surveys:question_edit", args=[_sales().pk, "Q4"])).status_code == 200
    assert client.get(reverse("surveys:question_add", args=[_sales().pk])).status_code == 200
    assert "不可以说" in client.get(reverse("surveys:script_list")).content.decode()
    script = CallScript.objects.get(code="complaint")
    assert client.get(reverse("surveys:script_edit", args=[script.pk])).status_code == 200


def test_manager_edits_question_through_the_page(cr_manager, client_for, store_a):
    _answer_once(store_a)
    client = client_for(cr_manager)
    url = reverse("surveys:question_edit", args=[_sales().pk, "Q4"])
    data = {"code": "Q4", "text": "交车时间是否准时?", "type": "yes_no", "order": 4, "negative_answer": "否"}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("surveys:template_detail", args=[_sales().pk])
    assert "已创建新版本" in response.content.decode()
    assert template_current_version(kind="sales").questions.get(code="Q4").text == "交车时间是否准时?"
    # An old version stays readable.
    old = client.get(reverse("surveys:template_detail", args=[_sales().pk]) + "?version=1").content.decode()
    assert "请问销售顾问现场交车的时间是否符合您的要求?" in old and "只读" in old


def test_bad_question_comes_back_with_errors(cr_manager, client_for):
    url = reverse("surveys:question_add", args=[_sales().pk])
    response = client_for(cr_manager).post(url, {"code": "Q3", "text": "x", "type": "score", "order": 1})
    assert response.status_code == 200 and "已存在" in response.content.decode()


def test_manager_edits_a_script(cr_manager, client_for):
    script = CallScript.objects.get(code="wrong_number")
    data = {
        "code": "wrong_number",
        "title": "打错电话",
        "kind": "all",
        "order": 30,
        "say": "对不起,这里是{门店}客户关系部,打扰您了。",
        "do_not_say": "不可以直接挂机",
        "is_active": "on",
    }
    response = client_for(cr_manager).post(reverse("surveys:script_edit", args=[script.pk]), data)
    assert response.status_code == 302
    script.refresh_from_db()
    assert script.say == "对不起,这里是{门店}客户关系部,打扰您了。"


@pytest.mark.parametrize("user_fixture", ["agent", "general_manager"])
def test_readers_read_but_cannot_edit(request, client_for, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))
    pk = _sales().pk
    assert client.get(reverse("surveys:template_detail", args=[pk])).status_code == 200
    assert client.get(reverse("surveys:script_list")).status_code == 200
    assert client.get(reverse("surveys:question_edit", args=[pk, "Q1"])).status_code == 403
    data = {"code": "Q1", "text": "x?", "type": "score", "order": 1}
    assert client.post(reverse("surveys:question_edit", args=[pk, "Q1"]), data).status_code == 403
    assert client.post(reverse("surveys:question_delete", args=[pk, "Q5"])).status_code == 403
    assert client.post(reverse("surveys:template_activate", args=[pk])).status_code == 403
    script = CallScript.objects.first()
    assert client.get(reverse("surveys:script_edit", args=[script.pk])).status_code == 403
    assert template_current_version(kind="sales").questions.get(code="Q1").text.startswith("对于在销售顾问")


def test_department_manager_sees_nothing(department_manager, client_for):
    assert client_for(department_manager).get(reverse("surveys:template_list")).status_code == 403


def test_administrator_edits(administrator, client_for):
    client = client_for(administrator)
    assert client.get(reverse("surveys:question_edit", args=[_sales().pk, "Q1"])).status_code == 200


def test_template_list_queries_constant(cr_manager, client_for, django_assert_max_num_queries):
    client = client_for(cr_manager)
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("surveys:template_list"))
    for i in range(5):
        template_create(code=f"t{i}", name=f"问卷{i}", kind="service", user=cr_manager)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("surveys:template_list"))


def test_manager_creates_a_template_and_a_taken_code_is_refused(cr_manager, client_for):
    client = client_for(cr_manager)
    url = reverse("surveys:template_create")
    response = client.post(url, {"code": "sales-2027", "name": "销售回访问卷 2027", "kind": "sales"})
    template = Template.objects.get(code="sales-2027")
    assert response.url == reverse("surveys:template_detail", args=[template.pk]) and not template.is_active
    assert template_current_version(kind="sales").template.code == "sales"  # still the active one
    # The same code again: refused with its reason, nothing created.
    response = client.post(url, {"code": "sales-2027", "name": "重复", "kind": "sales"}, follow=True)
    assert "编码已存在。" in response.content.decode()
    assert Template.objects.filter(code="sales-2027").count() == 1
    with pytest.raises(ValidationError):
        template_create(code="sales", name="x", kind="sales", user=cr_manager)


def test_response_counts_are_of_the_users_stores(store_a, store_b, cr_manager, administrator, client_for):
    """Questionnaires are shared by the group; their answers belong to stores."""
    _answer_once(store_a)
    _answer_once(store_b)
    _answer_once(store_b)
    detail = reverse("surveys:template_detail", args=[_sales().pk])
    mine = client_for(cr_manager).get(detail).context["versions"]
    everyone = client_for(administrator).get(detail).context["versions"]
    assert sum(v.response_count for v in mine) == 1 and sum(v.response_count for v in everyone) == 3
    listed = {
        t.code: t.response_count
        for t in client_for(cr_manager).get(reverse("surveys:template_list")).context["templates"]
    }
    assert listed["sales"] == 1
