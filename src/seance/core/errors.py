class SeanceError(Exception):
    """Base of the domain errors: the message is translated and shown to the user as is."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
