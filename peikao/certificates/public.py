"""The public side of certificates: no login, masked data, rate-limited, every lookup logged.

Pages: /verify/ (number and name), /v/<token> (a scanned QR), /verify/report/ ("I was shown this
certificate"). Machine endpoints: /.well-known/jwks.json, /status/certificates (JSON, or the signed JWS
with ``Accept: application/vc+jwt`` or at /status/certificates.jwt) and the public API
(/api/public/…, peikao.certificates.api). None of these pages links into the platform.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peikao.certificates import publishing, services, verification
from peikao.certificates.choices import LookupChannel, LookupOutcome
from peikao.certificates.forms import LookupForm, ReportForm
from peikao.core import ratelimit
from peikao.core.conf import peikao
from peikao.core.errors import DomainError, error_body
from peikao.core.forms import add_domain_error
from peikao.core.http import client_address, public_response
from peikao.core.i18n import bilingual, both


def rate_check(client: str, scope: str = "verify") -> ratelimit.RateDecision:
    """Count a public lookup of ``client`` (``client_address``) against the per-minute limit."""
    limit = peikao().get("VERIFY_RATE_PER_MINUTE", 60)
    return ratelimit.hit(f"{scope}:{client}", limit=limit, window=60)


def _log(request, answer, channel: str, client: str, cert_no: str = "", name: str = "") -> None:
    """Every public lookup goes to the lookup log, with where it came from."""
    verification.record(
        answer,
        channel=channel,
        client=client,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        cert_no=cert_no,
        name=name,
    )


def _public(response: HttpResponse) -> HttpResponse:
    return public_response(response)


def _limited(request, decision, client: str, channel: str, cert_no: str = "", name: str = "") -> HttpResponse:
    answer = verification.Answer(LookupOutcome.RATE_LIMITED)
    _log(request, answer, channel, client, cert_no=cert_no, name=name)
    response = render(request, "certificates/public_limited.html", {"retry_after": decision.retry_after}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return _public(response)


@csrf_protect
@require_http_methods(["GET", "POST"])
def verify_page(request):
    form = LookupForm(request.POST or None)
    answer = None
    if request.method == "POST" and form.is_valid():
        cert_no, name = form.cleaned_data["cert_no"], form.cleaned_data["name"]
        client = client_address(request)
        decision = rate_check(client)
        if not decision.allowed:
            return _limited(request, decision, client, LookupChannel.PAGE, cert_no, name)
        answer = verification.by_number(cert_no, name)
        _log(request, answer, LookupChannel.PAGE, client, cert_no=cert_no, name=name)
        form = LookupForm()  # the number typed holds an ID number: do not send it back
    return _public(render(request, "certificates/public_verify.html", {"form": form, "answer": answer}))


@require_GET
def verify_token_page(request, token: str):
    client = client_address(request)
    decision = rate_check(client)
    if not decision.allowed:
        return _limited(request, decision, client, LookupChannel.QR)
    answer = verification.by_token(token)
    _log(request, answer, LookupChannel.QR, client)
    return _public(
        render(request, "certificates/public_verify.html", {"form": LookupForm(), "answer": answer, "scanned": True})
    )


@csrf_protect
@require_http_methods(["GET", "POST"])
def report_page(request):
    form = ReportForm(request.POST or None, initial={"cert_no": request.GET.get("no", "")})
    done = False
    if request.method == "POST" and form.is_valid():
        client = client_address(request)
        decision = rate_check(client, scope="report")
        if not decision.allowed:
            return _limited(request, decision, client, LookupChannel.PAGE)
        data = form.cleaned_data
        try:
            services.report_from_public(
                cert_no=data["cert_no"],
                name=data["name"],
                claimed_issuer=data["claimed_issuer"],
                where=data["where"],
                description=data["description"],
                contact=data["contact"],
                client=client,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            done = True
            form = ReportForm()
    return _public(render(request, "certificates/public_report.html", {"form": form, "done": done}))


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    response = JsonResponse(publishing.jwks(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Type"] = "application/jwk-set+json"
    return response


def _wants_jwt(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/vc+jwt" in accept or "application/jwt" in accept or request.GET.get("format") == "jwt"


@require_GET
def status_list(request, as_jwt: bool = False):
    """The revocation and suspension lists (W3C Bitstring Status List), as JSON or as a signed JWS."""
    published = publishing.published_status_list()
    if request.META.get("HTTP_IF_NONE_MATCH") == published.etag:
        response = HttpResponse(status=304)
    elif as_jwt or _wants_jwt(request):
        response = HttpResponse(published.jwt, content_type="application/vc+jwt")
    else:
        response = JsonResponse(published.credential)
        response["Content-Type"] = "application/vc+ld+json"
    response["ETag"] = published.etag
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


def outcome_message(outcome: str) -> str:
    return {
        LookupOutcome.VALID: _("The certificate is valid."),
        LookupOutcome.EXPIRED: _("The certificate has expired."),
        LookupOutcome.REVIEW_OVERDUE: _("The certificate missed its review and is no longer valid."),
        LookupOutcome.SUSPENDED: _("The certificate is suspended."),
        LookupOutcome.REVOKED: _("The certificate has been revoked."),
        LookupOutcome.CANCELLED: _("The certificate has been cancelled."),
        LookupOutcome.NOT_FOUND: _("No certificate with this number and name."),
        LookupOutcome.SIGNATURE_INVALID: _("The QR code's signature is not valid: this is not a genuine certificate."),
        LookupOutcome.RATE_LIMITED: _("Too many lookups from your address: try again shortly."),
    }[LookupOutcome(outcome)]


# -- the public API: JSON in, JSON out, no authentication ---------------------------------------------------
#
# Plain views rather than django-ninja: this is the hottest path of the platform (see bench/verify_load.py)
# and its contract is small and fixed (docs/verify-certificates.md):
#
#   POST /api/public/verify        {"cert_no": "...", "name": "..."}
#   POST /api/public/verify/token  {"token": "<token or the /v/ URL>"}
#   → 200 {"outcome", "message", "message_en", "certificates": [national query fields, masked]}
#   → 400/422 {"code", "message", "message_zh", "message_en"}; 429 the same with "retry_after"


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message, params: dict | None = None, *, request=None, **extra) -> JsonResponse:
    """The platform API's error body (peikao.api.ErrorOut): ``message`` in the request's language."""
    language = get_language_from_request(request) if request is not None else None
    return _json(error_body(code, message, params, language=language, **extra), status=status)


MAX_BODY_BYTES = 16 * 1024  # a number and a name, or a token: far below Django's general upload limit


def _payload(request, fields: tuple[str, ...]) -> dict | JsonResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _error(
            413,
            "too_large",
            _("The request is too large (at most %(limit)d bytes)."),
            {"limit": MAX_BODY_BYTES},
            request=request,
        )
    try:  # the stream is bounded by Content-Length; text, so that json does not detect the encoding
        payload = json.loads(request.read(MAX_BODY_BYTES).decode() or "null")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "invalid_json", _("The body is not valid JSON."), request=request)
    if not isinstance(payload, dict):
        return _error(422, "invalid_request", _("The request is not valid."), request=request)
    wrong = [name for name in fields if not isinstance(payload.get(name), str) or len(payload[name]) > 4096]
    if wrong:
        reason = bilingual(_("A text of at most 4096 characters is required."))
        return _error(
            422,
            "invalid_request",
            _("The request is not valid."),
            request=request,
            errors=[{"location": name, "message": reason} for name in wrong],
        )
    return payload


_MESSAGES: dict[str, str] = {}


def _answer_json(answer) -> HttpResponse:
    """The answer as JSON, from the parts serialised once: the messages per outcome, each certificate per day."""
    head = _MESSAGES.get(answer.outcome)
    if head is None:
        zh, en = both(outcome_message(answer.outcome))
        head = _MESSAGES[answer.outcome] = (
            f'{{"outcome":{json.dumps(answer.outcome)},"message":{json.dumps(zh, ensure_ascii=False)},'
            f'"message_en":{json.dumps(en, ensure_ascii=False)},"certificates":['
        )
    certificates = answer.certificates_json
    if certificates is None:
        certificates = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in answer.certificates]
    # Encoded here: given text, HttpResponse would look the charset up in the settings for every answer.
    response = HttpResponse((head + ",".join(certificates) + "]}").encode(), content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def _limited_json(request, decision, client: str, cert_no: str = "", name: str = "") -> JsonResponse:
    _log(
        request, verification.Answer(LookupOutcome.RATE_LIMITED), LookupChannel.API, client, cert_no=cert_no, name=name
    )
    response = _error(
        429,
        "rate_limited",
        outcome_message(LookupOutcome.RATE_LIMITED),
        request=request,
        retry_after=decision.retry_after,
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


@csrf_exempt
@require_POST
def api_verify(request):
    payload = _payload(request, ("cert_no", "name"))
    if isinstance(payload, JsonResponse):
        return payload
    client = client_address(request)
    decision = rate_check(client)
    if not decision.allowed:
        return _limited_json(request, decision, client, payload["cert_no"], payload["name"])
    answer = verification.by_number(payload["cert_no"], payload["name"])
    _log(request, answer, LookupChannel.API, client, cert_no=payload["cert_no"], name=payload["name"])
    return _answer_json(answer)


@csrf_exempt
@require_POST
def api_verify_token(request):
    payload = _payload(request, ("token",))
    if isinstance(payload, JsonResponse):
        return payload
    client = client_address(request)
    decision = rate_check(client)
    if not decision.allowed:
        return _limited_json(request, decision, client)
    answer = verification.by_token(payload["token"])
    _log(request, answer, LookupChannel.API, client)
    return _answer_json(answer)
