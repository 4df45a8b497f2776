"""The REST API root (django-ninja): token or session authentication, one error shape for every 4xx.

Errors are JSON ``{"code": ..., "message": "中文 / English", "message_zh": ..., "message_en": ...}``
with optional ``errors`` details; bad input is always a 4xx, never a 500.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from peikao.core.errors import DomainError
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


def error_body(code: str, message, params: dict | None = None, **extra) -> dict:
    zh, en = both(message, params)
    body = {"code": code, "message": zh if zh == en else f"{zh} / {en}", "message_zh": zh, "message_en": en}
    body.update(extra)
    return body


api = NinjaAPI(
    title="Peikao API",
    version="1",
    description="培考 — 安全生产培训考试全流程监管平台 API. Every read is scoped to the caller's jurisdiction.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.params), status=exc.status_code)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
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


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, error_body(f"http_{exc.status_code}", str(exc)), status=exc.status_code)


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
    from peikao.registry.api import router as registry_router
    from peikao.training.api import router as training_router

    api.add_router("/", core_router)
    api.add_router("/", registry_router)
    api.add_router("/", training_router)
    api.add_router("/", exams_router)
    api.add_router("/", certificates_router)
    api.add_router("/", compliance_router)
    api.add_router("/", enforcement_router)


_register_routers()
