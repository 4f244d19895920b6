"""Demo data from the five source documents (see ``sources``), loaded idempotently by ``demo.loader``.

The package imports nothing here: as an installed app it is imported before the models are ready.
"""
