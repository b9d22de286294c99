"""The documented way to put the user's profile into ID tokens and userinfo: a validator
subclass with get_additional_claims (django-oauth-toolkit, "OpenID Connect" > "Adding claims")."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "email": user.email,
        }
