"""The request id of the work in progress (a web request or a task), for the audit trail."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
