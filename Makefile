# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_START ?= 2027-01-04

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q schedsim  # bytecode even where PYTHONDONTWRITEBYTECODE is set: a faster CLI
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/schedsim validate protocols/*.yaml
	$(BIN)/schedsim timeline protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) --format json -o out/ppcl-vrd-cart-asct-cart2.timeline.json
	$(BIN)/schedsim timeline protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) --format csv -o out/ppcl-vrd-cart-asct-cart2.timeline.csv
	$(BIN)/schedsim timeline protocols/ppcl-vrd-cart-asct-cart2.yaml --start $(DEMO_START) --format table -o out/ppcl-vrd-cart-asct-cart2.timeline.txt
	$(BIN)/schedsim explain protocols/ppcl-vrd-cart-asct-cart2.yaml maintenance.start --start $(DEMO_START)
	@echo "Outputs written to out/"

test: $(STAMP)
	$(BIN)/ruff check schedsim tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_timeline.py

clean:
	rm -rf out .pytest_cache .hypothesis
