"""The actions run inside the Rasa process: ``action_endpoint: {url: "in-process:actions"}``.

Every custom action was an HTTP round trip to the action server (``bot.action_server``): Rasa
serialised the whole tracker to JSON, aiohttp sent it, Sanic and rasa-sdk parsed it back, and
the answer made the same trip home, for every customer message. ``InProcessActions`` is an
``EndpointConfig`` whose ``request`` hands the same action call (a dict, never encoded) to
rasa-sdk's own ``ActionExecutor`` in this process, and answers the way the action server would:

- the action's response dict, marked ``ActionResponse``: made by rasa-sdk from its own event
  types, it skips the JSON-schema check that guards what comes over the network;
- a rejection (``ActionExecutionRejection``) as a 400 with ``action_name`` and ``error``, which
  Rasa turns into its own rejection (the form lets other policies answer);
- an unknown action as a 404 and a failing action as a 500 (Rasa raises and logs it), logging
  only the action's name and the exception's type, never the tracker (as ``bot.action_server``).

Rasa Pro 3.8 offers the same (``action_endpoint: {actions_module: ...}``); Rasa Open Source 3.6
does not. The embedded profile uses it (``PQRBOT_ACTIONS=in-process``, the default there); the
production profile keeps separate action servers (``PQRBOT_ACTIONS=server``), which scale on
their own. ``rasa_patches.apply()`` installs the switch.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Text

from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.logmask import masked_logger
from bot.perf.profiles import IN_PROCESS_URL

logger = masked_logger(__name__)

ACTIONS_PACKAGE = "actions"


class ActionResponse(dict):
    """An action's response made here by rasa-sdk's executor from its own event types: Rasa's
    JSON-schema check of what an action server sends is skipped for it (``rasa_patches``)."""


def _error(status: int, reason: str, action_name: str, message: str) -> ClientResponseError:
    return ClientResponseError(status, reason, json.dumps({"error": message, "action_name": action_name}))


class InProcessActions(EndpointConfig):
    """An action endpoint that runs rasa-sdk actions in this process (see the module doc)."""

    def __init__(self, package: str = ACTIONS_PACKAGE) -> None:
        super().__init__(url=IN_PROCESS_URL)
        self.package = package
        self._executor: Optional[Any] = None

    @property
    def executor(self) -> Any:
        if self._executor is None:
            from rasa_sdk.executor import ActionExecutor

            executor = ActionExecutor()
            executor.register_package(self.package)
            self._executor = executor
        return self._executor

    async def request(
        self,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        call = kwargs.get("json") or {}
        name = str(call.get("next_action") or "?")[:80]
        try:
            result = await self.executor.run(call)
            return ActionResponse(result) if result is not None else None
        except ActionExecutionRejection as exc:
            raise _error(400, "Bad Request", exc.action_name, exc.message) from None
        except ActionNotFoundException as exc:
            logger.error("no action named %s", name)
            raise _error(404, "Not Found", exc.action_name, exc.message) from None
        except Exception as exc:
            logger.error("action %s failed: %s", name, type(exc).__name__)
            raise _error(500, "Internal Server Error", name, "internal error") from exc

    def copy(self) -> "InProcessActions":
        return InProcessActions(self.package)


def with_in_process_actions(read_endpoints: Any) -> Any:
    """Wraps ``AvailableEndpoints.read_endpoints``: an action endpoint whose url is
    ``in-process:actions`` becomes an ``InProcessActions``."""

    def read(cls: Any, endpoint_file: Text) -> Any:
        endpoints = read_endpoints.__func__(cls, endpoint_file)
        if endpoints.action is not None and endpoints.action.url == IN_PROCESS_URL:
            endpoints.action = InProcessActions()
        return endpoints

    read.__wrapped__ = read_endpoints  # type: ignore[attr-defined]
    return classmethod(read)
