from seance.core.errors import SeanceError


class CommerceError(SeanceError):
    pass
