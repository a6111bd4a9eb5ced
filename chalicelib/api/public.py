"""Routes anyone may call without signing in: the lookup of a dossier's progress by its code."""

from __future__ import annotations

from chalice import Blueprint

from .contract import operation, responses
from .http import json_response, language

bp = Blueprint(__name__)

# Progress changes a few times a day at most; a minute of caching spares the table from a page refreshed
# in a loop. The answer depends on Accept-Language (the status name), so caches must key on it.
_CACHE_HEADERS = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}


@operation(bp, "GET", "/public/dossiers/{code}", summary="Follow a dossier's progress by the code on its receipt",
           tag="Public", auth=False, response=responses.PublicDossier, response_headers=("Cache-Control",))
def look_up_dossier(code):
    """No sign-in and no personal data: the applicant's name is masked as the national portal does."""
    from ..services.public_lookup import look_up

    lang = language(bp.current_request)
    return json_response(look_up(code, lang), headers={**_CACHE_HEADERS, "Content-Language": lang})
