from plaza.taxonomy import bp  # noqa: F401
