"""What makes a password acceptable: long enough, not a well-known one, not the person's own name."""

from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 200

# The most used passwords in public breach corpora, at or above the minimum length.
COMMON = frozenset(
    """
    1234567890 12345678910 0123456789 1234567899 1111111111 0000000000 9876543210 1q2w3e4r5t
    qwertyuiop 1qaz2wsx3edc password123 password12 password1! passw0rd12 iloveyou12 qwerty1234
    qwerty123456 abcdefghij abc1234567 letmein123 welcome123 football12 princess12 administrator
    changeme123 sunshine12 trustno1234 monkey12345 dragon12345 baseball12 starwars12 superman12
    aaaaaaaaaa asdfghjkl1 zxcvbnm123 password1234 contraseña contrasena1 motdepasse 비밀번호1234
    """.split()
)


def weakness(password: str, *personal: str | None) -> str | None:
    """A translated reason the password is too weak, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)d characters.", count=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) < 4:
        return _("This password is too easy to guess. Try a few unrelated words.")
    for value in personal:
        if value and len(value) >= 3 and value.lower().split("@")[0] in lowered:
            return _("Do not use your name, username or e-mail address in your password.")
    return None
