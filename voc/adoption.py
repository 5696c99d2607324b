"""What else happens when a suggestion is adopted, without voc importing the apps that react.

An app registers a handler from its AppConfig.ready() (the club books the member's points):

    from voc.adoption import on_suggestion_adopted
    on_suggestion_adopted(handler)

A handler takes the VocEntry and the user who recorded the feedback, runs inside the recording's
transaction, and returns a short sentence for the user (or "" when it did nothing)."""

from collections.abc import Callable

SuggestionHandler = Callable[..., str]
_handlers: list[SuggestionHandler] = []


def on_suggestion_adopted(handler: SuggestionHandler) -> SuggestionHandler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def suggestion_adopted(entry, *, user) -> list[str]:
    """Run every handler; their sentences, empty ones left out."""
    return [said for handler in _handlers if (said := handler(entry, user=user))]
