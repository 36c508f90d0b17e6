"""Accounts: sign-up, sign-in, invitations, profile and password reset."""

from plaza.components import Manifest, Mount

manifest = Manifest(
    key="accounts",
    mounts=(Mount("plaza.accounts.views:bp", "/account"),),
    models=("plaza.accounts.models",),
    events=("account.password_reset",),
)
