"""The supervisor's page and API, and each interaction's routing history; mounted at the site's root by config."""

from django.urls import path

from routing import views
from routing.api import history, supervisor

urlpatterns = [
    path("supervisor/", views.supervisor, name="supervisor"),
    path("api/v1/routing/supervisor/", supervisor.SupervisorSnapshot.as_view(), name="supervisor-snapshot"),
    path("api/v1/routing/supervisor/reassign/", supervisor.Reassign.as_view(), name="supervisor-reassign"),
    path(
        "api/v1/routing/supervisor/agents/<int:pk>/presence/",
        supervisor.AgentPresence.as_view(),
        name="supervisor-agent-presence",
    ),
    path("api/v1/routing/supervisor/whisper/", supervisor.Whisper.as_view(), name="supervisor-whisper"),
    # Under the interactions API the workspace already speaks to; mounted before its catch-all (config.urls), which
    # answers a JSON 404 for any other address under /api/v1/.
    path(
        "api/v1/interactions/<int:pk>/routing-history/",
        history.InteractionRoutingHistory.as_view(),
        name="interaction-routing-history",
    ),
]
