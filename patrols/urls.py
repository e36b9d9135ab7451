from django.urls import path

from . import views

app_name = "patrols"

urlpatterns = [
    path("", views.PatrolListView.as_view(), name="list"),
    path("new/", views.PatrolCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PatrolDetailView.as_view(), name="detail"),
]
