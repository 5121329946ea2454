from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from channels_whatsapp.webhook import whatsapp_webhook
from interactions.media_views import link_preview_image, message_media
from interactions.sign_in_forms import AdminSignInForm, SignInForm
from interactions.views import healthz, workspace

admin.site.login_form = AdminSignInForm  # failed sign-ins lock a username and address out, as on /login/

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workspace", permanent=False)),
    path("workspace/", workspace, name="workspace"),
    path("healthz/", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
    path("api/v1/", include("interactions.api.urls")),
    path("media/messages/<int:message_id>/", message_media, name="message-media"),
    path("media/link-previews/<int:preview_id>/", link_preview_image, name="link-preview-image"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
