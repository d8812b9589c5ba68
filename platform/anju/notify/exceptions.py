"""What a backend (or the template renderer) raises to say how a send went wrong."""


class DeliveryError(Exception):
    """Base class: a message could not be sent."""


class TemporaryFailure(DeliveryError):
    """Try again later (network down, provider throttling, ...): the message is retried
    with exponential backoff until it has used its attempts, then marked failed.

    ``retry_after`` (seconds), when the provider says how long to wait, is used instead
    of the computed backoff if it is longer."""

    def __init__(self, message: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """Trying again cannot help (no such number, a template that cannot render, ...): the
    message is marked failed at once."""


class TemplateError(PermanentFailure):
    """A template is unknown, or cannot be rendered with the message's payload."""
