# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium chromium-driver fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils docker-compose
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps demo serve test test-fast lint check-deploy bench-import bench-self-check worker clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Debian packages for browser tests, PDF text and the compose-file check; skipped when present.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

install: $(BIN)/.installed

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "门户: http://$(HOST):$(PORT)/  用户 town_clerk / district_reviewer / city_officer,密码 demo-pass-2026"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install system-deps
	$(BIN)/pytest -n 2

test-fast: install
	$(BIN)/pytest -n 2 -m "not browser"

lint: install
	$(BIN)/ruff check .

check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) DJANGO_ALLOWED_HOSTS=portal.example.cn \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench-import: install
	$(BIN)/python -m benchmarks.import_10k

# Needs PostgreSQL and Redis (127.0.0.1); options go in BENCH_ARGS, e.g. BENCH_ARGS="--keep --communities 5000".
bench-self-check: install
	$(BIN)/python -m benchmarks.self_check_20k $(BENCH_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=info

clean:
	rm -rf $(VENV) var
