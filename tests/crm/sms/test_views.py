"""SMS pages: the outbox (filters, scoping, masking, query count), manual replies, the inbound endpoint."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from crm.sms import services
from crm.sms.choices import Direction
from crm.sms.models import SmsMessage
from tests.factories import CustomerFactory

TZ = ZoneInfo("Asia/Shanghai")
OUTBOX = reverse("crm:sms_outbox")
INBOUND = reverse("crm:sms_inbound")


def _msg(store, n=0, at=None, **kw):
    customer = CustomerFactory(store=store)
    return services.sms_send(
        store=store,
        customer=customer,
        mobile=customer.mobile,
        body=f"短信{n}",
        reason=kw.pop("reason", "callback_survey"),
        related_key=f"{store.code}-{n}",
        now=at or datetime.datetime(2026, 3, 2, 22, 0, tzinfo=TZ),
    )


def test_outbox_is_for_cr_manager_and_admin(client_for, agent, cr_manager, administrator, general_manager):
    assert client_for(agent).get(OUTBOX).status_code == 403
    assert client_for(general_manager).get(OUTBOX).status_code == 403
    assert client_for(cr_manager).get(OUTBOX).status_code == 200
    assert client_for(administrator).get(OUTBOX).status_code == 200


def test_outbox_nav_item_for_cr_manager(client_for, cr_manager):
    html = client_for(cr_manager).get(reverse("crm:customer_list")).content.decode()
    assert OUTBOX in html


def test_anonymous_goes_to_login(client):
    response = client.get(OUTBOX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_outbox_scoped_to_store_and_masks_mobiles(client_for, cr_manager, store_a, store_b):
    mine = _msg(store_a, 1)
    theirs = _msg(store_b, 2)
    response = client_for(cr_manager).get(OUTBOX)
    rows = list(response.context["page_obj"])
    assert rows == [mine]
    html = response.content.decode()
    assert mine.mobile not in html
    assert f"{mine.mobile[:3]}****{mine.mobile[-4:]}" in html
    assert theirs.body not in html


def test_outbox_filters(client_for, cr_manager, store_a):
    queued = _msg(store_a, 1)
    failed = _msg(store_a, 2, reason="festival")
    SmsMessage.objects.filter(pk=failed.pk).update(status="failed", queued_at=datetime.datetime(2026, 2, 1, tzinfo=TZ))
    client = client_for(cr_manager)
    assert list(client.get(OUTBOX, {"status": "failed"}).context["page_obj"]) == [failed]
    assert list(client.get(OUTBOX, {"reason": "callback_survey"}).context["page_obj"]) == [queued]
    assert list(client.get(OUTBOX, {"date_from": "2026-03-01"}).context["page_obj"]) == [queued]
    assert list(client.get(OUTBOX, {"date_to": "2026-02-28"}).context["page_obj"]) == [failed]


@pytest.mark.parametrize("rows", [1, 30])
def test_outbox_query_count_is_constant(client_for, cr_manager, store_a, django_assert_num_queries, rows):
    for i in range(rows):
        _msg(store_a, i)
        services.sms_receive(
            mobile=f"1370000{i:04d}", text="你好", received_at=datetime.datetime(2026, 3, 2, tzinfo=TZ)
        )
    SmsMessage.objects.filter(direction=Direction.INBOUND).update(store=store_a)
    client = client_for(cr_manager)
    client.get(OUTBOX)
    # session, user, permissions (one query), role codes (nav), user stores, count, page, waiting
    # replies, the store filter's options, the bell (count and items in one query; the user menu's
    # roles come from the role codes)
    with django_assert_num_queries(10):
        response = client.get(OUTBOX)
    assert len(response.context["waiting"]) == rows
    assert response.context["page_obj"].paginator.count == 2 * rows


def test_outbox_paginates(client_for, cr_manager, store_a):
    for i in range(55):
        _msg(store_a, i)
    client = client_for(cr_manager)
    assert len(client.get(OUTBOX).context["page_obj"]) == 50
    assert len(client.get(OUTBOX, {"page": 2}).context["page_obj"]) == 5


def test_waiting_reply_is_listed_and_marked_handled(client_for, cr_manager, store_a):
    customer = CustomerFactory(store=store_a, mobile="13812340000")
    reply = services.sms_receive(mobile=customer.mobile, text="请给我回个电话")
    client = client_for(cr_manager)
    html = client.get(OUTBOX).content.decode()
    assert "请给我回个电话" in html and "待人工处理" in html
    response = client.post(reverse("crm:sms_mark_handled", args=[reply.pk]))
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.handled and reply.handled_by == cr_manager
    assert client.get(OUTBOX).context["waiting"] == []


def test_mark_handled_other_store_is_404(client_for, cr_manager, store_b):
    CustomerFactory(store=store_b, mobile="13812340001")
    reply = services.sms_receive(mobile="13812340001", text="hi")
    assert client_for(cr_manager).post(reverse("crm:sms_mark_handled", args=[reply.pk])).status_code == 404


def test_staff_enters_a_reply_by_hand(client_for, cr_manager, store_a):
    customer = CustomerFactory(store=store_a, mobile="13812340002")
    client = client_for(cr_manager)
    response = client.post(reverse("crm:sms_reply_enter"), {"mobile": "13812340002", "text": "退订"}, follow=True)
    assert response.status_code == 200
    reply = SmsMessage.objects.get(direction=Direction.INBOUND)
    assert reply.entered_by == cr_manager
    customer.refresh_from_db()
    assert customer.may_sms is False


@pytest.mark.parametrize("text", ["TD", "9"])
def test_a_reply_typed_in_never_reaches_another_stores_customer(client_for, cr_manager, store_b, text):
    """IDOR: a CR manager of store A types store B's customer's mobile: no consent withdrawn, no
    score recorded, nothing stored, and the same mobile in her own store is the one acted on."""
    foreign = CustomerFactory(store=store_b, mobile="13812340003")
    sent = _msg(store_b, 1)  # an open survey SMS of store B to that number
    SmsMessage.objects.filter(pk=sent.pk).update(mobile=foreign.mobile, status="sent", sent_at=sent.queued_at)
    response = client_for(cr_manager).post(
        reverse("crm:sms_reply_enter"), {"mobile": foreign.mobile, "text": text}, follow=True
    )
    assert "您的门店没有该手机号的客户" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.may_sms is True
    assert not SmsMessage.objects.filter(direction=Direction.INBOUND).exists()
    sent.refresh_from_db()
    assert sent.reply_text == ""


def test_a_reply_typed_in_opts_out_only_the_users_store(client_for, cr_manager, store_a, store_b):
    mine = CustomerFactory(store=store_a, mobile="13812340004")
    theirs = CustomerFactory(store=store_b, mobile="13812340004")
    client_for(cr_manager).post(reverse("crm:sms_reply_enter"), {"mobile": "13812340004", "text": "退订"})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.may_sms, theirs.may_sms) == (False, True)
    assert SmsMessage.objects.get(direction=Direction.INBOUND).store == store_a


def test_reply_form_rejects_bad_mobile_and_agents(client_for, cr_manager, agent):
    response = client_for(cr_manager).post(reverse("crm:sms_reply_enter"), {"mobile": "123", "text": "9"}, follow=True)
    assert "有效的手机号" in response.content.decode()
    assert not SmsMessage.objects.exists()
    assert (
        client_for(agent).post(reverse("crm:sms_reply_enter"), {"mobile": "13800000000", "text": "9"}).status_code
        == 403
    )


# --- the inbound endpoint ----------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "wrong", "test-inbound-secret "])
def test_inbound_needs_the_secret(client, db, header):
    extra = {} if header is None else {"HTTP_X_SMS_SECRET": header}
    response = client.post(INBOUND, {"mobile": "13800000000", "text": "9"}, **extra)
    assert response.status_code == 403
    assert not SmsMessage.objects.exists()


def test_inbound_with_empty_configured_secret_accepts_nothing(client, db, settings):
    settings.SMS_INBOUND_SECRET = ""
    response = client.post(INBOUND, {"mobile": "13800000000", "text": "9"}, HTTP_X_SMS_SECRET="")
    assert response.status_code == 403


def test_inbound_form_post_is_csrf_exempt_and_stores_the_reply(db, store_a):
    from django.test import Client

    customer = CustomerFactory(store=store_a, mobile="13800000009")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        INBOUND, {"mobile": "13800000009", "text": "TD", "id": "gw-9"}, HTTP_X_SMS_SECRET="test-inbound-secret"
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "opt_out"
    customer.refresh_from_db()
    assert customer.may_sms is False


def test_inbound_json(client, db):
    body = {"mobile": "13800000010", "text": "９分", "id": "gw-10", "received_at": "2026-03-02T10:00:00"}
    response = client.post(
        INBOUND, json.dumps(body), content_type="application/json", HTTP_X_SMS_SECRET="test-inbound-secret"
    )
    assert response.status_code == 200
    reply = SmsMessage.objects.get()
    assert reply.score == 9 and reply.provider_id == "gw-10"
    assert reply.queued_at == datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize("payload", [{}, {"mobile": "13800000000"}, {"text": "9"}])
def test_inbound_missing_fields_is_400(client, db, payload):
    response = client.post(INBOUND, payload, HTTP_X_SMS_SECRET="test-inbound-secret")
    assert response.status_code == 400


def test_inbound_get_not_allowed(client, db):
    assert client.get(INBOUND, HTTP_X_SMS_SECRET="test-inbound-secret").status_code == 405


# --- templates ---------------------------------------------------------------------------------


def test_cr_manager_edits_a_template_with_preview(client_for, cr_manager, agent):
    from crm.sms.models import SmsTemplate

    template = SmsTemplate.objects.get(code="callback_survey_sales")  # seeded by migration
    assert client_for(agent).get(reverse("crm:sms_template_list")).status_code == 403
    client = client_for(cr_manager)
    assert "短信回访（销售）" in client.get(reverse("crm:sms_template_list")).content.decode()
    url = reverse("crm:sms_template_edit", args=[template.pk])
    page = client.get(url)
    assert "尊敬的张先生" in page.content.decode()  # the preview with sample values
    response = client.post(url, {"name": "短信回访", "body": "{salutation}您好，请回复1-10分。{store_name}"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "{salutation}您好，请回复1-10分。{store_name}"


def test_template_with_unknown_placeholder_is_refused(client_for, cr_manager):
    from crm.sms.models import SmsTemplate

    template = SmsTemplate.objects.get(code="festival")
    before = template.body
    response = client_for(cr_manager).post(
        reverse("crm:sms_template_edit", args=[template.pk]), {"name": "节日", "body": "{customer}您好"}
    )
    assert response.status_code == 200 and "未知的占位符" in response.content.decode()
    template.refresh_from_db()
    assert template.body == before


def test_render_and_segments():
    from crm.sms.templates import render_sms_text, sms_segments

    assert render_sms_text("{salutation}好 {x} {", {"salutation": "王女士"}) == "王女士好 {x} {"
    assert sms_segments("字" * 70) == 1
    assert sms_segments("字" * 71) == 2
    assert sms_segments("字" * 134) == 2
    assert sms_segments("字" * 135) == 3


def test_template_preview_uses_the_users_store_name_and_phone(client_for, cr_manager, store_a):
    """The preview shows what this store's customers will read: its own number, not the sample's."""
    from crm.sms.models import SmsTemplate
    from crm.sms.templates import PLACEHOLDERS

    store_a.phone = "0564-3311888"
    store_a.save()
    template = SmsTemplate.objects.get(code="first_maintenance")
    page = client_for(cr_manager).get(reverse("crm:sms_template_edit", args=[template.pk])).content.decode()
    preview = page[page.index('data-testid="preview"') :].split("</div>")[0]
    assert "预约电话0564-3311888" in preview and store_a.name in preview
    assert PLACEHOLDERS["store_phone"] not in page
