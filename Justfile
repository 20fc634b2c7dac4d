# ibrun developer tasks: `uv run just <recipe>` (just comes from the dev dependencies).

default:
    @just --list

# the whole test suite (engine tests skip unless podman is set up: .ci/engine-setup.sh)
test *ARGS:
    uv run pytest {{ARGS}}

# ruff lint + format check, mypy
lint:
    uv run ruff check runner tests bench examples
    uv run ruff format --check runner tests bench examples
    uv run mypy

# format the code
fmt:
    uv run ruff format runner tests bench examples
    uv run ruff check --fix runner tests bench examples

# validate every shipped spec and example
validate:
    uv run ibrun validate specs/ examples/

# regenerate the JSON schema and the validator's core schema from the model (tests fail while stale)
schemas:
    uv run python -m runner.model.schema

# benchmarks; each prints its figures and writes bench/RESULTS-*.md
bench:
    uv run python bench/validate_bench.py
    uv run python bench/sim_throughput.py
    uv run python bench/run_overhead.py
    uv run python bench/download_bench.py
    uv run python bench/instruments_bench.py
    uv run python bench/journal_bench.py

# the demo: simulated gateway, example strategy, ~25 s, then a summary
demo:
    uv run ibrun specs/demo.yaml

# the simulated IB gateway in the foreground
sim *ARGS:
    uv run ibrun sim {{ARGS}}
