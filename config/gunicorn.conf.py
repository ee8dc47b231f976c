"""gunicorn settings for every place that serves the app with it (docker-compose, the image, the load
test, the fuzz run): `gunicorn -c config/gunicorn.conf.py config.wsgi`."""

import gc


def post_worker_init(worker):
    """The worker has loaded the app: its modules, URL patterns, serializers and schema live as long
    as the worker. Frozen, they are left out of the collector's full passes, which otherwise walked
    all of them every few large responses (about 130 ms each on a page of 50 self-checks): the
    longest stalls in the load test's tail."""
    gc.collect()
    gc.freeze()
