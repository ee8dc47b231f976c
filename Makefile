# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CJK_FONT := fonts-noto-cjk
APT_PACKAGES := chromium chromium-driver $(CJK_FONT) libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils docker-compose
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps cjk-font demo serve test test-fast lint check-deploy bench-import bench-self-check bench-profile bench-dashboard load vendor worker backup restore drills drill-worker-killed drill-redis-down drill-backup fuzz clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Install whichever of the Debian packages $(1) are missing; nothing when all are present.
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

# Debian packages for browser tests, PDF text and the compose-file check; skipped when present.
system-deps:
	$(call apt_ensure,$(APT_PACKAGES))

# The certificate's Chinese font (one of APT_PACKAGES): without it the PDF has no Chinese glyphs.
# `make demo` installs it when missing and says where it stands; a failed install only warns.
cjk-font:
	-$(call apt_ensure,$(CJK_FONT))
	@if dpkg -s $(CJK_FONT) >/dev/null 2>&1; then echo "中文字体 $(CJK_FONT):已安装(证书 PDF 所需)"; \
	else echo "警告:未能安装中文字体 $(CJK_FONT),证书 PDF 将没有中文字形;请以 root 运行 apt-get install $(CJK_FONT)" >&2; fi

install: $(BIN)/.installed

demo: install cjk-font
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput --verbosity 0
	DJANGO_DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "门户: http://$(HOST):$(PORT)/  用户 town_clerk / district_reviewer / city_officer,密码 $${DEMO_PASSWORD:-demo-pass-2026}"
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install system-deps
	$(BIN)/pytest -n 2 --durations=15

test-fast: install
	$(BIN)/pytest -n 2 -m "not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) DJANGO_ALLOWED_HOSTS=portal.example.cn \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench-import: install
	$(BIN)/python -m benchmarks.import_10k

# Needs PostgreSQL and Redis (127.0.0.1); options go in BENCH_ARGS, e.g. BENCH_ARGS="--keep --communities 5000".
bench-self-check: install
	$(BIN)/python -m benchmarks.self_check_20k $(BENCH_ARGS)

# Where the self-check run's seconds go: cProfile over the first chunks of the city bench-self-check kept
# (BENCH_ARGS="--keep" there first); options in BENCH_ARGS, e.g. BENCH_ARGS="--chunks 8 --top 40".
bench-profile: install
	$(BIN)/python -m benchmarks.profile_self_check $(BENCH_ARGS)

# The city dashboard of the same 20,000-community city (same database; BENCH_ARGS="--keep" reuses it).
bench-dashboard: install
	$(BIN)/python -m benchmarks.dashboard_20k $(BENCH_ARGS)

# Locust against gunicorn + PostgreSQL + Redis with the 20,000-community city (same database as the
# benchmarks; BENCH_ARGS="--keep" reuses it, "--users 50 --seconds 60" are the defaults).
load: install
	$(BIN)/pip install -q 'locust>=2.29,<3'
	$(BIN)/python -m benchmarks.load_20k $(BENCH_ARGS)

# The chart library, from npm into static/vendor/ (the version pinned in static/vendor/package.json).
vendor:
	cd $$(mktemp -d) && npm pack --silent echarts@$$(node -p "require('$(CURDIR)/static/vendor/package.json').dependencies.echarts") \
	  && tar xzf echarts-*.tgz && cp package/dist/echarts.common.min.js $(CURDIR)/static/vendor/ \
	  && cp package/LICENSE $(CURDIR)/static/vendor/echarts.LICENSE

# Schemathesis over every API operation, anonymously and as each demo role, against a throwaway database
# and the app served by gunicorn (fuzz/run.py). Bounded by FUZZ_EXAMPLES per operation and phase; CI runs
# it with FUZZ_EXAMPLES=3 FUZZ_PHASES=examples,fuzzing,stateful. FUZZ_ARGS go to fuzz/run.py, e.g.
# FUZZ_ARGS="--identities api_reader --keep -- --max-failures 3" (after "--": schemathesis' own options).
FUZZ_EXAMPLES ?= 20
FUZZ_SEED ?= 2026
FUZZ_PHASES ?= examples,coverage,fuzzing,stateful
fuzz: install
	$(BIN)/python -m fuzz.run --examples $(FUZZ_EXAMPLES) --seed $(FUZZ_SEED) --phases $(FUZZ_PHASES) $(FUZZ_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=info

# Database (pg_dump -Fc, or SQLite's online backup) and uploaded files into var/backups/<timestamp>/ with
# a manifest; `make restore BACKUP=var/backups/<timestamp>` refuses a target holding data unless FORCE=1.
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<timestamp> [FORCE=1]" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

# Failure drills against real services (PostgreSQL and Redis on 127.0.0.1), each printing PASS/FAIL;
# `drills` runs all of them and prints a summary. Options of one drill go in DRILL_ARGS.
drills: install
	$(BIN)/python -m drills

drill-worker-killed: install
	$(BIN)/python -m drills.worker_killed $(DRILL_ARGS)

drill-redis-down: install
	$(BIN)/python -m drills.redis_down $(DRILL_ARGS)

drill-backup: install
	$(BIN)/python -m drills.backup_restore $(DRILL_ARGS)

clean:
	rm -rf $(VENV) var
