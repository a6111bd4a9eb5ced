"""The Chalice app the blueprints are registered on, so shared helpers can reach the current request."""

from __future__ import annotations

import threading
from typing import Any

from chalice import Chalice

_app: Any = None


class App(Chalice):
    """Chalice keeps the current request on the app object. Lambda serves one request per
    container at a time, but the local server is threaded, so keep it per thread."""

    _requests = threading.local()

    @property
    def current_request(self) -> Any:
        return getattr(self._requests, "value", None)

    @current_request.setter
    def current_request(self, value: Any) -> None:
        self._requests.value = value


def bind_app(app: Any) -> None:
    global _app
    _app = app


def current_request() -> Any:
    return getattr(_app, "current_request", None)
