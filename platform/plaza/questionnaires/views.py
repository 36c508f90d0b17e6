from plaza.questionnaires import bp  # noqa: F401
