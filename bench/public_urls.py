"""The public service's routes and a bare Django view returning a fixed JSON response (the baseline)."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from peikao.public_urls import handler404, handler500  # noqa: F401
from peikao.public_urls import urlpatterns as public_urlpatterns

FIXED = {"outcome": "valid", "message": "证书有效。", "certificates": []}


@csrf_exempt
def fixed(request):
    return JsonResponse(FIXED, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench/fixed", fixed), *public_urlpatterns]
