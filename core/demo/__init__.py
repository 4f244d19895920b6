"""Demo data from the five source documents (see ``sources``), loaded idempotently."""

from .loader import DEMO_PASSWORD, DemoLogin, load_demo

__all__ = ["DEMO_PASSWORD", "DemoLogin", "load_demo"]
