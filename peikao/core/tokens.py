"""API tokens: the services live in ``peikao.core.services`` (the write path); these names stay importable from
here for the callers that still use them."""

from peikao.core.services import (  # noqa: F401
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    hash_token,
)
