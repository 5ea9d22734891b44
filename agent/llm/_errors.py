"""Typed errors raised by LLM backends. Messages never contain API keys."""


class LLMError(Exception):
    """Any failure talking to a model. `retryable` tells whether trying again may help."""

    retryable = False


class LLMConnectionError(LLMError):
    """The server could not be reached (refused, DNS, reset)."""

    retryable = True


class LLMTimeoutError(LLMError):
    retryable = True


class LLMRateLimitError(LLMError):
    """HTTP 429. `retry_after` is the server's hint in seconds, if any."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class LLMServerError(LLMError):
    """HTTP 5xx."""

    retryable = True


class LLMAuthError(LLMError):
    """HTTP 401/403: the key is missing or wrong."""


class LLMBadRequestError(LLMError):
    """HTTP 400/404/422: the request or the model name is wrong."""


class LLMResponseError(LLMError):
    """The server answered with something that is not a valid completion."""
