"""The REST API root (django-ninja): token or session authentication, one error shape for every 4xx.

Errors are JSON ``{"code": ..., "message": ..., "message_zh": ..., "message_en": ...}`` (``message`` in the
request's language, from ``Accept-Language``, Chinese by default) with optional ``errors`` details; bad input is
always a 4xx, never a 500.
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from peikao.core.errors import DomainError, error_body
from peikao.core.i18n import both
from peikao.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pk_…``: the request acts as the token's user."""

    openapi_description = "Bearer token (create one on your profile page or with `manage.py create_token`)."

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token.user


class ActiveSessionAuth(SessionAuth):
    """The browser session (with CSRF for writes), for pages that call the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese as characters, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class ErrorDetail(Schema):
    location: str
    message: str
    message_zh: str | None = None
    message_en: str | None = None


class ErrorOut(Schema):
    """The one error body of every 4xx (and of the public verification API)."""

    code: str
    message: str
    message_zh: str
    message_en: str
    errors: list[ErrorDetail] | None = None


# Every operation may answer these with an ``ErrorOut`` (declared in the OpenAPI document, so that what a client
# is promised is what it gets): a domain rule (400), no or a bad token (401), a role or jurisdiction refusal (403),
# an unknown or invisible object (404), a state conflict (409), a body too large (413, operations with a body), a
# request that does not match its schema (422), a throttled login (429). An operation that declares one of these
# itself answers either its own body or an ``ErrorOut``.
ERROR_STATUSES = {
    400: "Bad request: a rule of the domain refused it",
    401: "Authentication required",
    403: "Not allowed for this account",
    404: "Not found (or not visible to this account)",
    409: "Conflicts with the current state",
    413: "The request body (or the upload) is too large",
    422: "The request does not match its schema",
    429: "Too many requests (a throttled login): try again later",
}
BODY_ONLY_STATUSES = {413}


class PeikaoAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the error responses every operation can give, and whose errors
    speak the request's language (``message``, beside ``message_zh`` and ``message_en``)."""

    def on_exception(self, request, exc):
        with translation.override(translation.get_language_from_request(request)):
            return super().on_exception(request, exc)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in error_schema.pop("$defs", {}).items():
            components[name] = definition
        components["ErrorOut"] = error_schema
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        for methods in schema["paths"].values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    if status in BODY_ONLY_STATUSES and "requestBody" not in operation:
                        continue
                    declared = responses.get(status) or responses.get(str(status))
                    if declared is None:
                        responses[status] = {
                            "description": description,
                            "content": {"application/json": {"schema": error_ref}},
                        }
                        continue
                    json_content = declared.setdefault("content", {}).setdefault("application/json", {})
                    own = json_content.get("schema")
                    json_content["schema"] = {"anyOf": [own, error_ref]} if own else error_ref
        return schema


api = PeikaoAPI(
    title="Peikao API",
    version="1",
    description="培考 — 安全生产培训考试全流程监管平台 API. Every read is scoped to the caller's jurisdiction.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI from our static files (django-ninja ships them), with no call to swagger.io's validator.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.params), status=exc.status_code)


def _detail(location: str, error: ValidationError) -> dict:
    zh, en = both(error.message, error.params)
    return {"location": location, "message": zh if translation.get_language().startswith("zh") else en,
            "message_zh": zh, "message_en": en}  # fmt: skip


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
    details = [_detail(field, error) for field, errors in by_field.items() for error in errors]
    return api.create_response(request, error_body("invalid", _("The data is not valid."), errors=details), status=422)


@api.exception_handler(NinjaValidationError)
def on_request_validation_error(request, exc: NinjaValidationError):
    details = [
        {"location": ".".join(str(part) for part in error.get("loc", [])), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return api.create_response(
        request, error_body("invalid_request", _("The request is not valid."), errors=details), status=422
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request, exc):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request, error_body("unauthenticated", _("Authentication required: send a valid API token.")), status=401
    )


# django-ninja's own refusals, in both languages: (start of its English message) → (code, message)
NINJA_REFUSALS = {
    "Cannot parse request body": ("invalid_json", _("The body is not valid JSON.")),
    "CSRF check Failed": ("csrf_failed", _("The CSRF check failed: reload the page and try again.")),
}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    text = str(exc)
    code, message = next(
        (refusal for start, refusal in NINJA_REFUSALS.items() if text.startswith(start)),
        (f"http_{exc.status_code}", text),
    )
    return api.create_response(request, error_body(code, message), status=exc.status_code)


@api.exception_handler(MultiPartParserError)
def on_unreadable_body(request, exc):
    """A body declared multipart that is not (no boundary, broken parts): read by a form or an upload."""
    return api.create_response(
        request, error_body("invalid_body", _("The request body cannot be read as its content type says.")), status=400
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious_request(request, exc: SuspiciousOperation):
    """Django's refusals of a request (too many fields, a body over its limit, …), as Django logs them."""
    logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return api.create_response(request, error_body("too_large", _("The request body is too large.")), status=413)
    return api.create_response(request, error_body("invalid_request", _("The request is not valid.")), status=400)


@api.exception_handler(BadRequest)
def on_bad_request(request, exc: BadRequest):
    return api.create_response(request, error_body("invalid_request", _("The request is not valid.")), status=400)


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc):
    return api.create_response(
        request, error_body("conflict", _("The change conflicts with existing data.")), status=409
    )


def _register_routers() -> None:
    from peikao.certificates.api import router as certificates_router
    from peikao.compliance.api import router as compliance_router
    from peikao.core.api import router as core_router
    from peikao.enforcement.api import router as enforcement_router
    from peikao.exams.api import router as exams_router
    from peikao.oversight.api import router as oversight_router
    from peikao.registry.api import router as registry_router
    from peikao.reports.api import router as reports_router
    from peikao.training.api import router as training_router

    api.add_router("/", core_router)
    api.add_router("/", registry_router)
    api.add_router("/", training_router)
    api.add_router("/", exams_router)
    api.add_router("/", certificates_router)
    api.add_router("/", compliance_router)
    api.add_router("/", enforcement_router)
    api.add_router("/", oversight_router)
    api.add_router("/", reports_router)


_register_routers()
