"""URL root of the public verification service: the public pages, keys, status list and API — nothing else."""

from django.http import HttpResponseNotFound, HttpResponseServerError
from django.template.loader import render_to_string

from peikao.certificates.urls import public_urlpatterns
from peikao.enforcement.public import public_urlpatterns as case_urlpatterns

urlpatterns = [*public_urlpatterns, *case_urlpatterns]


def not_found(request, exception=None):
    return HttpResponseNotFound(render_to_string("certificates/public_404.html", request=request))


def server_error(request):
    return HttpResponseServerError(render_to_string("certificates/public_404.html", {"error": True}))


handler404 = not_found
handler500 = server_error
