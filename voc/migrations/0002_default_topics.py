"""The starting topic list (issue 14 item 1): the CR manager edits it on the VOC topic page."""

from django.db import migrations

TOPICS = [
    ("等待时间", "service", "等待、等候、等了、排队、小时、太久、很久、半天、拖延、耽误、慢"),
    ("价格", "service", "价格、收费、费用、太贵、贵、便宜、工时费、材料费、结算、乱收费、优惠、报价、差价"),
    ("洗车", "service", "洗车、车洗、清洗、车内、脚垫、打蜡"),
    ("维修质量", "service", "维修、修理、返修、异响、故障、没修好、漏油、漏水、抖动、钣喷、喷漆、色差、异味"),
    ("服务态度", "", "态度、服务态度、热情、冷淡、敷衍、耐心、礼貌、微笑、不理、解释、推诿"),
    ("配件", "parts", "配件、零件、到货、缺货、原厂、滤芯、机油、轮胎、刹车片、电瓶"),
    ("环境", "cr", "休息区、休息室、环境、卫生、厕所、洗手间、停车、充电、插座、饮料、茶水、wifi"),
]


def add_topics(apps, schema_editor):
    VocTopic = apps.get_model("voc", "VocTopic")
    for order, (name, department, keywords) in enumerate(TOPICS, start=1):
        VocTopic.objects.get_or_create(
            name=name, defaults={"department": department, "keywords": keywords, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("voc", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
