from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in by email address, whatever its case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email") or username
        if email is None or password is None:
            return None
        return super().authenticate(request, username=email.strip().lower(), password=password)
