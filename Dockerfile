# syntax=docker/dockerfile:1
# The ibrun node image: ibrun with exactly the dependencies of uv.lock, your strategies, no root.
#
#   docker build -t registry.example.com/you/ibrun-node:0.1.0 .
#   docker push registry.example.com/you/ibrun-node:0.1.0      # then: images.node in the fleet file
#
# The contract `ibrun export compose|k8s` relies on (tests/fleet build a local image honouring it):
#   * ENTRYPOINT is `ibrun`, and `ibrun` is on PATH (healthchecks run `ibrun status URL` and
#     `ibrun gateway probe HOST:PORT`);
#   * strategies import as `package.module:Class` from /app (PYTHONPATH): copy yours there, as
#     the example strategies are below, or build FROM this image and COPY them;
#   * /var/lib/ibrun is the writable working directory (instrument cache, log files), owned by
#     the non-root user 10001; specs are mounted read-only below /etc/ibrun/spec.

FROM python:3.12-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first (a layer that changes only with the lock file), then ibrun itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY runner/ runner/
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.12-slim-bookworm
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/ibrun --create-home ibrun
COPY --from=build /app/.venv /app/.venv
COPY examples/__init__.py /app/examples/__init__.py
COPY examples/strategies/ /app/examples/strategies/
ENV PATH=/app/.venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 XDG_CACHE_HOME=/var/lib/ibrun/cache
WORKDIR /var/lib/ibrun
USER 10001:10001
EXPOSE 9464
# ibrun handles SIGTERM itself (the node stops its strategies and disconnects, exit 130).
ENTRYPOINT ["ibrun"]
CMD ["--help"]
