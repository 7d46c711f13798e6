# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_START ?= 2027-01-04
DEMO_PATIENT := --start 2026-06-01 --patient P001 --actuals protocols/examples/P001.actuals.csv --country CN \
	--today 2026-11-23

.PHONY: demo test lint bench clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q schedsim  # bytecode even where PYTHONDONTWRITEBYTECODE is set: a faster CLI
	touch $(STAMP)

# The browser tests drive Debian's Chromium with Playwright (which cannot download its own browser here): installed
# when missing and the machine can (root with apt-get); elsewhere those tests are skipped and say why.
CHROMIUM := $(shell command -v chromium || command -v chromium-browser)
chromium:
	@if [ -z "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium could not be installed: the browser tests will be skipped"; \
	fi

demo: $(STAMP)
	mkdir -p out
	$(BIN)/schedsim validate protocols/*.yaml
	$(BIN)/schedsim timeline protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) --format json -o out/ppcl-vrd-cart-asct-cart2.timeline.json
	$(BIN)/schedsim timeline protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) --format csv -o out/ppcl-vrd-cart-asct-cart2.timeline.csv
	$(BIN)/schedsim timeline protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) --format table -o out/ppcl-vrd-cart-asct-cart2.timeline.txt
	$(BIN)/schedsim explain protocols/ppcl-vrd-cart-asct-cart2.yaml maintenance.start --start $(DEMO_START)
	for fmt in html xlsx md; do \
	  $(BIN)/schedsim soa protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) -o out/ppcl-vrd-cart-asct-cart2.soa.$$fmt || exit 1; \
	done
	for fmt in csv ics html xlsx; do \
	  $(BIN)/schedsim calendar protocols/ppcl-vrd-cart-asct-cart2.yaml $(DEMO_PATIENT) -o out/P001.calendar.$$fmt || exit 1; \
	done
	$(BIN)/schedsim due protocols/examples/roster.csv --week 2026-W48 --today 2026-11-23 -o out/due-2026-W48.txt
	$(BIN)/schedsim gantt protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) -o out/ppcl-vrd-cart-asct-cart2.gantt.png
	$(BIN)/schedsim patient-gantt protocols/ppcl-vrd-cart-asct-cart2.yaml $(DEMO_PATIENT) -o out/P001.gantt.png
	$(BIN)/schedsim swimmer protocols/examples/roster.csv --today 2026-11-23 -o out/roster.swimmer.png
	$(BIN)/schedsim visit-load protocols/examples/roster.csv -o out/roster.visit-load.png
	$(BIN)/schedsim check protocols/*.yaml --start $(DEMO_START) -o out/check.txt  # closed days for that start too
	$(BIN)/schedsim import seeds/000_9f93e3c7ef5718a8.txt -o out/seed-000.draft.yaml --report > out/seed-000.import-report.txt
	$(BIN)/schedsim simulate protocols/ppcl-vrd-cart-asct-cart2.yaml --scenario protocols/scenarios/ppcl-baseline.yaml \
	  --patients 30 --replicates 20 --seed 1 --workers 2 -o out/simulation
	$(BIN)/schedsim check --roster protocols/examples/roster.csv --today 2026-11-23 -o out/deviations.txt; \
	  test $$? -eq 1  # exit 1: the example patients have deviations, which is what the report shows
	@echo "Outputs written to out/"

lint: $(STAMP)
	$(BIN)/ruff check schedsim tests benchmarks
	$(BIN)/lint-imports  # the pipeline's layer contracts in pyproject.toml

test: lint chromium
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_timeline.py
	$(BIN)/python benchmarks/bench_plots.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_simulate.py
	$(BIN)/python benchmarks/bench_calendar.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_import_corpus.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_roster_plan.py

clean:
	rm -rf out .pytest_cache .hypothesis .import_linter_cache
