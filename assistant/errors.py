"""Domain errors of the assistant, each with the HTTP status the API maps it to.

The leaf packages never import this module; `assistant` translates their exceptions into these.
"""


class AssistantError(Exception):
    status_code = 500
    error_type = "internal_error"
    # Set when the failed turn was stored anyway: the conversation the client can continue (X-Conversation-Id).
    conversation_id: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class InvalidInput(AssistantError):
    status_code = 422
    error_type = "invalid_request_error"


class BadRequest(AssistantError):
    """400: a request this server does not serve as asked (an unsupported parameter; the OpenAI surface's refusals)."""

    status_code = 400
    error_type = "invalid_request_error"


class NotFound(AssistantError):
    status_code = 404
    error_type = "not_found_error"


class Conflict(AssistantError):
    status_code = 409
    error_type = "conflict_error"


class PayloadTooLarge(AssistantError):
    status_code = 413
    error_type = "invalid_request_error"


class Unavailable(AssistantError):
    """A component the request needs is not loaded (e.g. generation without a model)."""

    status_code = 503
    error_type = "service_unavailable"


class Busy(AssistantError):
    """Capacity is exhausted right now; the client should retry after `retry_after` seconds."""

    status_code = 503
    error_type = "overloaded_error"

    def __init__(self, message: str, *, retry_after: float = 1.0, param: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, param=param, code=code)
        self.retry_after = retry_after


class Timeout(AssistantError):
    status_code = 504
    error_type = "timeout_error"
