from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from channels_whatsapp.webhook import whatsapp_webhook
from interactions.media_views import link_preview_image, message_media
from interactions.views import healthz, workspace
from routing.api import wrap_up
from routing.api.transfer import QueueList, TransferInteraction
from security.sign_in import TwoFactorAdminSignInForm, TwoFactorSignInForm
from security.views import two_factor
from virtual_agent.api import InteractionVirtualAgent, Topics

# Failed sign-ins lock a username and address out, as on /login/; enrolled people give their authenticator code.
admin.site.login_form = TwoFactorAdminSignInForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workspace", permanent=False)),
    path("workspace/", workspace, name="workspace"),
    path("", include("routing.supervisor_urls")),  # /supervisor/, /api/v1/routing/supervisor/…, …/routing-history/
    path("reports/", include("reports.urls")),  # managers' reports and their CSV exports
    path("healthz/", healthz, name="healthz"),
    path("help/", include("customer_service.urls")),  # public: the articles links in chats open
    path("login/", auth_views.LoginView.as_view(authentication_form=TwoFactorSignInForm), name="login"),
    path("account/two-factor/", two_factor, name="two-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
    path("api/v1/interactions/<int:pk>/transfer/", TransferInteraction.as_view(), name="interaction-transfer"),
    path("api/v1/routing/queues/", QueueList.as_view(), name="routing-queues"),
    path(
        "api/v1/interactions/<int:pk>/virtual-agent/",
        InteractionVirtualAgent.as_view(),
        name="interaction-virtual-agent",
    ),
    path("api/v1/virtual-agent/topics/", Topics.as_view(), name="virtual-agent-topics"),
    # Routing's wrap-up: before the interactions API, whose last pattern answers any other address with a 404.
    path("api/v1/", include(wrap_up.interaction_urlpatterns)),
    path("api/v1/routing/", include(wrap_up.urlpatterns)),
    path("api/v1/routing/", include("routing.api.urls")),
    path("api/v1/", include("customer_service.api.urls")),
    path(
        "api/v1/", include("canned_responses.api.urls")
    ),  # the composer's / menu  # the side panel's: before the catch-all below
    path("api/v1/", include("security.api_urls")),  # API tokens: before the catch-all below
    path("api/v1/", include("interactions.api.urls")),
    path("media/messages/<int:message_id>/", message_media, name="message-media"),
    path("media/link-previews/<int:preview_id>/", link_preview_image, name="link-preview-image"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's settings as a script of their own: no inline script (README, "Security").
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
