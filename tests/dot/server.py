"""The second, independently written provider of the end-to-end tests: django-oauth-toolkit,
configured only through its documented settings (flowlab_dot/settings.py) and models (the
applications and users below), served by Django's own development server class. Nothing of
DOT is patched. It listens on 127.0.0.1 only, in a fresh SQLite file each start.

Environment:
  DOT_PORT     port to listen on (default 9100)
  APP_ORIGINS  comma-separated origins the app is served from (default http://127.0.0.1:8080)
  APP_PATHS    comma-separated base paths the app is served under (default "/")

It prints one line "DOT_READY <issuer>" when it accepts connections.
"""

import os
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PORT = int(os.environ.get("DOT_PORT", "9100"))
ISSUER = f"http://127.0.0.1:{PORT}/o"
ORIGINS = [o.strip() for o in os.environ.get("APP_ORIGINS", "http://127.0.0.1:8080").split(",") if o.strip()]
PATHS = [p.strip() for p in os.environ.get("APP_PATHS", "/").split(",") if p.strip()]
BASES = [o + (p if p.endswith("/") else p + "/") for o in ORIGINS for p in PATHS]

# The users' password, published on purpose (a local test provider has nothing to protect).
PASSWORD = "looking-glass"
USERS = {"alice": ("Alice", "Liddell", "alice@example.test"), "bob": ("Bob", "Builder", "bob@example.test")}

# One application per grant: django-oauth-toolkit ties each application to one grant type.
SECRETS = {"flowlab-dot-web": "flowlab-dot-web-secret", "flowlab-dot-m2m": "flowlab-dot-m2m-secret"}
APPLICATIONS = [
    # client_id, client type, grant
    ("flowlab-dot-spa", "public", "authorization-code"),
    ("flowlab-dot-web", "confidential", "authorization-code"),
    ("flowlab-dot-implicit", "public", "implicit"),
    ("flowlab-dot-hybrid", "public", "openid-hybrid"),
    ("flowlab-dot-m2m", "confidential", "client-credentials"),
    ("flowlab-dot-password", "public", "password"),
    ("flowlab-dot-device", "public", "urn:ietf:params:oauth:grant-type:device_code"),
]


def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["DOT_RSA_KEY"] = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    db_dir = tempfile.mkdtemp(prefix="flowlab-dot-")
    os.environ["DOT_DB"] = os.path.join(db_dir, "db.sqlite3")
    os.environ["DOT_ISSUER"] = ISSUER
    os.environ["APP_ORIGINS"] = ",".join(ORIGINS)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowlab_dot.settings")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    for username, (first, last, email) in USERS.items():
        User.objects.create_user(username, email=email, password=PASSWORD, first_name=first, last_name=last)
    Application = get_application_model()
    for client_id, client_type, grant in APPLICATIONS:
        redirecting = grant in ("authorization-code", "implicit", "openid-hybrid")
        Application.objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=SECRETS.get(client_id, ""),
            client_type=client_type,
            authorization_grant_type=grant,
            redirect_uris=" ".join(b + "callback.html" for b in BASES) if redirecting else "",
            post_logout_redirect_uris=" ".join(BASES) if redirecting else "",
            algorithm="RS256",
            skip_authorization=True,
        )

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            if os.environ.get("DOT_LOG"):
                super().log_message(*args)

    httpd = ThreadedWSGIServer(("127.0.0.1", PORT), Quiet)
    httpd.set_app(get_wsgi_application())
    print(f"DOT_READY {ISSUER}", flush=True)
    print(f"  applications: {', '.join(a[0] for a in APPLICATIONS)}", flush=True)
    print(f"  secrets: {SECRETS}; users: {', '.join(USERS)} (password {PASSWORD})", flush=True)
    print(f"  redirect URIs: {' '.join(b + 'callback.html' for b in BASES)}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
