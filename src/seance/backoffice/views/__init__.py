from django.shortcuts import redirect

from seance.backoffice.views.base import staff_view


@staff_view()
def home(request):
    return redirect("backoffice:session_list")
