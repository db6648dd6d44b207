"""Domain errors raised by services; views and socket handlers turn them into responses.

Every message is a lazy translatable string in plain Spanish, meant to be shown to the person.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status_code = 400


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class InvalidTransition(DomainError):
    status_code = 409


class Conflict(DomainError):
    status_code = 409


class RateLimited(DomainError):
    status_code = 429
