"""The built-in questionnaires (SPEC §7, seed 001 tables 1–2) and call scripts (seed 001 section 二).

The data is written out here, not imported from app code, so that this migration keeps creating
exactly what it created on the day it was written. Re-running is harmless (get_or_create by code).
"""

from django.db import migrations

S, YN, CH, T = "score", "yes_no", "choice", "text"
YES, NO = "是", "否"
SUGGESTION = "请问您对我们的产品和服务还有什么其他意见或建议吗?"

# (code, type, text, overall, negative yes/no answer, choices, negative choices)
SALES = [
    ("Q0", S, "综合考虑,您对本次购车经历的总体满意程度如何?", True, "", [], []),
    ("Q1", S, "对于在销售顾问接待您之前等待时间的长短,您的满意程度如何?", False, "", [], []),
    ("Q2", S, "对于销售顾问向您提供感兴趣车型详细信息能力方面,您的满意程度如何?", False, "", [], []),
    ("Q3", YN, "在您购买新车前,销售顾问是否向您建议过试乘试驾?", False, NO, [], []),
    ("Q4", YN, "请问销售顾问现场交车的时间是否符合您的要求?", False, NO, [], []),
    ("Q5", YN, "交车时,车辆燃油警示灯是否亮起?", False, YES, [], []),
    ("Q6", YN, "交车时,销售人员是否解答了您提出的所有问题?", False, NO, [], []),
    ("Q7", S, "交车时,销售顾问就您车辆使用和维护保养方面作出的介绍,您的满意程度如何?", False, "", [], []),
    ("Q8", YN, "新车交付后销售顾问是否与您取得联系,了解您的车辆使用状况?", False, NO, [], []),
    (
        "Q9",
        YN,
        "销售人员是否向您介绍了服务顾问?服务顾问有没有提醒您首次保养的时间,并留下了联系方式?",
        False,
        NO,
        [],
        [],
    ),
    ("Q10", YN, "请问,结算时您对财务人员的工作效率及服务态度是否满意?", False, NO, [], []),
    ("Q11", T, SUGGESTION, False, "", [], []),
]

SERVICE = [
    ("Q1", S, "您这次到店对我们的服务总体是否满意呢?", True, "", [], []),
    ("Q2", YN, "您到店时是否有服务顾问及时接待并热情地问候您?", False, NO, [], []),
    ("Q3", YN, "您到店时服务顾问是否对您车辆的外观进行了检查并说明?", False, NO, [], []),
    (
        "Q4",
        CH,
        "服务顾问是否向您说明本次保养/维修项目、费用、时间,并请您在施工单上签字确认?",
        False,
        "",
        ["详细说明", "部分说明", "未说明"],
        ["未说明"],
    ),
    ("Q5", YN, "服务顾问是否按时交车?", False, NO, [], []),
    ("Q6", YN, "是否有人向您解释了收费内容及作业项目(含实车确认)?", False, NO, [], []),
    ("Q7", YN, "交车时,接待人员是否向您宣传我们的预约服务并向您提供下次保养建议?", False, NO, [], []),
    ("Q8", YN, "交车时服务顾问是否向您展示旧件?", False, NO, [], []),
    ("Q9", S, "对于我们维修技术人员诊断车辆问题的能力,您是否满意?", False, "", [], []),
    ("Q10", S, "您对车辆的维修/保养/钣喷质量及作业时间是否满意?", False, "", [], []),
    ("Q11", T, SUGGESTION, False, "", [], []),
]

TEMPLATES = [
    ("sales", "销售回访问卷", "sales", SALES),
    ("service", "售后回访问卷", "service", SERVICE),
]

# Seed 001 section 二 (客服回访规范话术), the store's name replaced by {门店} and "XX先生/女士" by
# {称呼}: (code, title, kind, say, do_not_say).
SCRIPTS = [
    (
        "opening_sales",
        "开头语(销售回访)",
        "sales",
        "您好,我是{门店}的回访员{专员},请问是{称呼}吗?近期您是否在我们店购买了一辆新车?"
        "能否占用您几分钟时间,了解一下您在本次购车时的满意程度?",
        "不可以说“喂,说话呀!”",
    ),
    (
        "opening_service",
        "开头语(售后回访)",
        "service",
        "您好,我是{门店}的回访员{专员},请问是{称呼}吗?近期您是否在我们店进行了车辆维修/保养?"
        "能否占用您几分钟时间,了解一下您在本次维修/保养时的满意程度?",
        "不可以说“喂,说话呀!”",
    ),
    (
        "cant_hear",
        "无法听清",
        "all",
        "(客户使用免提)对不起,您的声音太小,请您拿起话筒说话好吗?\n"
        "(客户音小)对不起!请您大声一点,好吗?\n"
        "(杂音太大)对不起,您的电话杂音太大,听不清,请您换一部电话或者换一个场所再次打来好吗?\n"
        "(没听清客户所述)对不起,麻烦您将刚才反映的问题再复述一遍,好吗?",
        "不可以说“喂,大声一点儿!”“喂,什么?!你说什么?”;不可以直接挂机",
    ),
    (
        "wrong_number",
        "打错电话",
        "all",
        "对不起,这里是{门店}客户关系部,请您查证后再拨。(若有可能,根据客户的需求引导客户拨打其它号码)",
        "不可以说“喂,打错电话了!请看清楚后再拨”",
    ),
    (
        "complaint",
        "抱怨与投诉",
        "all",
        "对不起,由于我们服务不周给您添麻烦了,请您原谅,您是否能将详细情况告诉我?\n"
        "(认真记录客户的投诉内容,并请客户留下联系方式,提交部门经理处理)\n"
        "很抱歉,{称呼},多谢您反映的意见,我们会尽快向部门经理反映,并尽快给您答复,好吗?",
        "不可以说“喂,刚才的电话不是我接的呀!”“喂,这不关我的事,我不清楚”“喂,我不清楚,您过两天再来电话吧”",
    ),
    (
        "closing_sales",
        "结束语(销售回访)",
        "sales",
        "好的,非常感谢您的支持,近期第三方调查将会对我们的电话回访与您进行确认,"
        "并对您此次提车的经历进行服务满意度调查,请给予配合。"
        "如果您今后在用车过程中有任何疑问,请随时与我们联系,祝您用车愉快,再见!",
        "不可以直接挂电话",
    ),
    (
        "closing_service",
        "结束语(售后回访)",
        "service",
        "好的,非常感谢您的支持,近期第三方调查将会对我们的电话回访与您进行确认,"
        "并对您此次维修的经历进行服务满意度调查,请给予配合。"
        "如果您今后在用车过程中有任何疑问,请随时与我们联系,祝您用车愉快,再见!",
        "不可以直接挂电话",
    ),
]


def create(apps, schema_editor):
    Template = apps.get_model("surveys", "Template")
    TemplateVersion = apps.get_model("surveys", "TemplateVersion")
    Question = apps.get_model("surveys", "Question")
    CallScript = apps.get_model("surveys", "CallScript")
    for code, name, kind, questions in TEMPLATES:
        template, created = Template.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        if not created:
            continue
        version = TemplateVersion.objects.create(template=template, number=1)
        Question.objects.bulk_create(
            Question(
                version=version,
                code=q_code,
                type=q_type,
                text=text,
                is_overall=overall,
                order=i,
                negative_answer=negative,
                choices=choices,
                negative_choices=negative_choices,
            )
            for i, (q_code, q_type, text, overall, negative, choices, negative_choices) in enumerate(questions)
        )
    for i, (code, title, kind, say, do_not_say) in enumerate(SCRIPTS):
        CallScript.objects.get_or_create(
            code=code, defaults={"title": title, "kind": kind, "say": say, "do_not_say": do_not_say, "order": i * 10}
        )


def remove(apps, schema_editor):
    apps.get_model("surveys", "CallScript").objects.filter(code__in=[s[0] for s in SCRIPTS]).delete()
    apps.get_model("surveys", "Template").objects.filter(code__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
