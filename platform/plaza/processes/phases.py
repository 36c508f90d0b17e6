"""Temporary alias while other modules move to plaza.phases; removed at integration."""
from plaza.phases import *  # noqa: F401,F403
from plaza.phases import COMPONENT_NAMES, DEFAULT_COMPONENTS, PHASE_NAMES, Component, PhaseKind  # noqa: F401
