"""Failure drills: scripted, against real services, each printing a PASS/FAIL report (`make drills`).

- `drills.worker_killed`: a Celery worker SIGKILLed mid self-check run; the run completes, nothing twice.
- `drills.redis_down`: the portal with its Redis stopped: pages answer, job starts are refused clearly.
- `drills.backup_restore`: the demo backed up and restored into fresh databases; everything compared.

They need PostgreSQL and Redis (127.0.0.1, as the benchmarks); each uses throwaway databases of its own.
"""

import os

# The drills serve and seed the embedded development settings over plain HTTP (the demo's users).
os.environ.setdefault("DJANGO_DEBUG", "true")
