from plaza.meetings import bp  # noqa: F401
