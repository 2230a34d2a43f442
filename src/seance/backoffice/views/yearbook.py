"""The yearbook export of a session: the chosen portrait of each pupil and a PSPA index, as
one ZIP the school imports into its yearbook and administration software."""

from django.shortcuts import get_object_or_404

from seance.backoffice.views.base import staff_view
from seance.core import permissions as perms
from seance.core.exports import zip_response
from seance.photos import services
from seance.photos.models import Session


@staff_view(perms.EXPORT)
def yearbook_export(request, session):
    """INDEX.TXT, README.TXT and Images/NNNN.jpg, each portrait rendered as the download
    reaches it (memory holds one photo, whatever the size of the school)."""
    session = get_object_or_404(
        Session.objects.for_organizer(request.organizer).with_relations(), pk=session
    )
    export = services.export_yearbook(session, user=request.user)
    return zip_response(f"{session.reference}-yearbook.zip", export.files())
