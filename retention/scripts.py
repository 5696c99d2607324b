"""The call scripts (话术) of reminder and win-back calls: seed 001's reminder texts (section 七's SMS
wording, said on the phone), with the customer's salutation, the store and the vehicle filled in.
Kept in code: surveys.CallScript's kinds are the callback kinds (sales / service)."""

from django.utils.translation import gettext as _

from retention.choices import OutreachKind as K

SCRIPTS = {
    K.FIRST_SERVICE: "您好，{salutation}，我是{store}的客服专员。您的爱车{plate}已购3个月了，进入首次保养期，"
    "请您及时来站保养车辆。请问您哪天方便过来？我帮您预约。",
    K.PERIODIC_SERVICE: "您好，{salutation}，我是{store}的客服专员。您的车辆{plate}已经进入新的保养期，"
    "如果您5至6个月内未保养车辆，提醒您及时来站保养。请问您哪天方便？我帮您预约。",
    K.INSURANCE: "您好，{salutation}，我是{store}的客服专员。您的爱车{plate}保险将于{date}到期，别忘了续保，"
    "本站可以代办。需要我请保险专员给您报价吗？",
    K.INSPECTION: "您好，{salutation}，我是{store}的客服专员。您的车辆{plate}两年一次的年审快到了（{date}），"
    "勿忘！年审前可来站做一次检查。",
    K.WARRANTY_END: "您好，{salutation}，我是{store}的客服专员。在您购车满2年之前请到本站做一次全面检查，"
    "享受最后一次质保机会（2年或6万公里），请问您哪天方便过来？",
    K.BIRTHDAY: "您好，{salutation}，我是{store}的客服专员。{store}全体员工祝您生日快乐！",
    K.FESTIVAL: "您好，{salutation}，{store}总经理携全体员工预祝您节日愉快！",
    K.WINBACK: "您好，{salutation}，我是{store}的客服专员。您有一段时间没来店了，想了解一下是否我们的服务有"
    "不周到的地方？您的意见对我们很重要。",
    K.NO_SHOW: "您好，{salutation}，我是{store}的客服专员。您预约了{date}来店保养维修{plate}，当天没有见到您，"
    "想问一下是不是时间不方便？我帮您重新预约一个时间好吗？",
    # Seed 001 section 七, 流失客户短信提醒话术 (1) and (7), said on the phone.
    K.AT_RISK: "您好，{salutation}，我是{store}的客服专员。感谢您在本店保养或维修车辆。您的车辆已经进入年审期、"
    "续保期和新的保养期（2年或6万公里的质保期），提醒您及时保养车辆和年审。对于我们的服务和维修保养的工作质量，"
    "您有什么意见或建议吗？请问您哪天方便过来？我帮您预约。",
}
DO_NOT_SAY = "不要催促、不要与客户争辩；客户不方便时礼貌结束通话。"


def outreach_script(task, *, due_on=None) -> dict[str, str]:
    """The task's script, filled in: {"text": …, "do_not_say": …}."""
    vehicle = task.vehicle
    text = SCRIPTS[task.kind].format(
        salutation=task.customer.salutation,
        store=task.store.name,
        plate=(vehicle.plate or vehicle.vin) if vehicle else "",
        date=due_on.isoformat() if due_on else "",
    )
    return {"text": text, "do_not_say": _(DO_NOT_SAY)}
