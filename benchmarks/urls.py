from django.urls import include, path

from config.urls import urlpatterns as product_urls

# django-helpdesk builds ticket links with reverse("helpdesk:..."), so its URLs must be mounted.
urlpatterns = [*product_urls, path("helpdesk/", include("helpdesk.urls"))]
