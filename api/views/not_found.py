from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ..errors import error_body


# Exempt: it changes nothing, and a POST to a wrong URL should say 404, not fail the CSRF check.
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """No such endpoint (or an id that is not a number): the same 404 as a ticket one may not see."""
    return JsonResponse(error_body("not_found", _("未找到,或您无权查看。")), status=404,
                        json_dumps_params={"ensure_ascii": False})
