from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.decorators import protected_resource
from oauth2_provider.models import get_access_token_model


@protected_resource()
def hello(request):
    """The demo API: answers a valid access token (DOT's documented decorator checks it)."""
    bearer = request.headers.get("Authorization", "").split(" ", 1)[-1]
    token = get_access_token_model().objects.select_related("application", "user").get(token=bearer)
    return JsonResponse(
        {
            "message": f"Hello from django-oauth-toolkit, {token.user.username if token.user else token.application.client_id}.",
            "client_id": token.application.client_id,
            "scope": token.scope,
        }
    )


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("api/hello", hello),
]
