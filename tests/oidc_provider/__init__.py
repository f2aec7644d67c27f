"""A small OpenID Connect provider (django-oauth-toolkit) standing in for the organisation's
directory: the single sign-on tests start it on loopback, and `make run` can sign in through it
(`.venv/bin/python tests/oidc_provider/serve.py`, docs/security.md "Single sign-on")."""
