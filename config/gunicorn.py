"""gunicorn's settings for every server the project starts: ``gunicorn -c config/gunicorn.py config.wsgi``
(the image, docker-compose, the production smoke and the load test give the address and the workers).

The application is loaded once, in the master, and warmed there (``core.warmup``) before the workers
are forked, so that none pays for its first pages' set-up while users wait. The objects loaded by then
live as long as the process: ``gc.freeze`` takes them out of the garbage collector's view, so that a
worker's full collection no longer walks them all (about 0.1 s each time on the load test's mix, every
few seconds in each worker, inside whichever request triggered it), and the pages holding them stay
shared between the workers instead of being copied as the collector writes to them.

New code needs a restart of the server, not a HUP: with the application loaded in the master, a HUP
forks new workers from the same loaded code.
"""

import gc

preload_app = True


def when_ready(server):
    """Called in the master once the application is loaded, before the first worker is forked."""
    from core.warmup import warm_up

    names = warm_up()
    gc.collect()
    gc.freeze()
    server.log.info("Warmed up: %d templates compiled, %d objects frozen", len(names), gc.get_freeze_count())
