"""The customer's survey page (no login): parse, call the service, render."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from callbacks.forms import questionnaire_rows
from surveylink.choices import LinkState
from surveylink.forms import customer_errors, posted_answers
from surveylink.selectors import survey_link_for_token, survey_link_state
from surveylink.services import SurveyLinkClosed, survey_link_answer, survey_link_opened
from surveylink.throttle import client_ip, guess_blocked, guess_record

# Answered: 200 (a thank-you page); expired: 410 Gone; unknown token: 404, the same page whatever
# the token looked like, so a guess learns nothing.
_CLOSED_STATUS = {LinkState.ANSWERED: 200, LinkState.EXPIRED: 410}


def _headers(response):
    # The token is in the URL: keep it out of caches, search engines and other sites' Referer
    # headers. "same-origin", not "no-referrer": with no referrer at all the browser posts the form
    # with `Origin: null`, which Django's CSRF check refuses (found by the chromium test).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request, token: str):
    ip = client_ip(request)
    if guess_blocked(ip):
        return _headers(render(request, "surveylink/message.html", {"state": "throttled"}, status=429))
    link = survey_link_for_token(token)
    if link is None:
        guess_record(ip)
        return _headers(render(request, "surveylink/message.html", {"state": "unknown"}, status=404))
    now = timezone.now()
    state = survey_link_state(link, now)
    context = {"store": link.task.store, "vehicle": link.task.vehicle, "kind": link.task.get_kind_display()}
    if state != LinkState.OPEN:
        return _headers(
            render(request, "surveylink/message.html", {**context, "state": state}, status=_CLOSED_STATUS[state])
        )
    errors: dict = {}
    if request.method == "POST":
        answers, errors = posted_answers(request.POST, link.version)
        if not errors:
            try:
                survey_link_answer(link=link, answers=answers, now=now)
            except SurveyLinkClosed as exc:
                status = _CLOSED_STATUS[exc.state]
                return _headers(
                    render(request, "surveylink/message.html", {**context, "state": exc.state}, status=status)
                )
            except ValidationError as exc:
                errors = customer_errors(exc.message_dict, link.version, answers)
            else:
                return redirect("surveylink:page", token=token)  # now the thank-you page
    else:
        survey_link_opened(link=link, now=now)
    rows = questionnaire_rows(link.version, request.POST if request.method == "POST" else None, errors)
    context |= {"rows": rows, "has_errors": bool(errors)}
    return _headers(render(request, "surveylink/page.html", context, status=400 if errors else 200))
