"""The editable SMS template of the survey link (crm.SmsTemplate, code `survey_link`)."""

from django.db import migrations

BODY = "尊敬的{salutation}，感谢您选择{store_name}！请花1分钟评价本次服务：{link} 回复TD退订"


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("crm", "SmsTemplate")
    SmsTemplate.objects.get_or_create(code="survey_link", defaults={"name": "问卷链接", "body": BODY})


def remove(apps, schema_editor):
    apps.get_model("crm", "SmsTemplate").objects.filter(code="survey_link").delete()


class Migration(migrations.Migration):
    dependencies = [("surveylink", "0001_initial"), ("crm", "0004_sms_template")]
    operations = [migrations.RunPython(create, remove)]
