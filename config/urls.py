from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api
from config.probe import healthz

# A 500 page that needs no database; a lost database answers 503 (config/unavailable.py).
handler500 = "config.unavailable.server_error"

urlpatterns = [
    path("", include("consoles.urls")),
    path("cases/", include("cases.urls")),
    path("components/", include("components.urls")),
    path("map/", include("geo.urls")),
    path("api/v1/", api.urls),
    path("m/", include("intake.mobile.urls")),
    path("public/", include("intake.portal.urls")),
    path("hotline/", include("intake.hotline.urls")),
    path("open311/v2/", include("intake.open311.urls")),
    path("partners/", include("intake.partners.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
