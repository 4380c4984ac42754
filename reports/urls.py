from django.urls import path

from .views import dashboard

app_name = "reports"

urlpatterns = [
    path("reports/", dashboard.dashboard, name="dashboard"),
]
