"""Reply handlers: the app that sent an SMS learns about the score its customer replied.

    from crm.sms.registry import register_reply_handler
    register_reply_handler("callback_survey", handle_survey_reply)   # in AppConfig.ready()

A handler is called as `handler(message=<outbound SmsMessage>, reply=<inbound SmsMessage>,
score=<1..10>)` inside the transaction that stores the reply, and returns True when it used the
score (False: kept, changed nothing — e.g. the callback task was already done).
"""

from collections.abc import Callable

ReplyHandler = Callable[..., bool]
_handlers: dict[str, ReplyHandler] = {}


def register_reply_handler(reason: str, handler: ReplyHandler) -> ReplyHandler:
    _handlers[reason] = handler
    return handler


def reply_handler_for(reason: str) -> ReplyHandler | None:
    return _handlers.get(reason)
