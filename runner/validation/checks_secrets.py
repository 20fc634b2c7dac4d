"""No secret in `gateway.docker.env`: the container's environment shows in `docker inspect`
(and `podman inspect`) to anyone who can reach the engine. The password and the VNC password go
in as mounted files (`gateway.docker.password`/`vnc_password`); nothing else may carry them.

A key is refused by its name (`TWS_PASSWORD`, `VNC_PW`, `API_TOKEN`), a value by where it came
from: `VNC_PW: ${TWS_PASSWORD}` names an innocent key but carries the password. The loader
records which variables each value was interpolated from; a value taken from a secret-looking
variable, or from the variable a secret reference of this spec reads, is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from runner.loading.document import JsonPath
from runner.model import Spec
from runner.model.secrets import is_secret_variable
from runner.validation.problems import Problem

_SHOWN = "gateway.docker.env shows in `docker inspect`"
_INSTEAD = "use gateway.docker.password or vnc_password ({env: VAR} or {file: PATH}), mounted as a file"


def check_docker_env(spec: Spec, variables: Mapping[JsonPath, frozenset[str]]) -> Iterator[Problem]:
    docker = spec.gateway.docker
    if docker is None:
        return
    secret_refs = _secret_reference_variables(spec)
    for key in docker.env:
        path = ("gateway", "docker", "env", key)
        if is_secret_variable(key):
            yield path, f"'{key}' names a secret: {_SHOWN}; {_INSTEAD}"
            continue
        leaked = sorted(name for name in variables.get(path, ()) if is_secret_variable(name) or name in secret_refs)
        if leaked:
            names = ", ".join(f"${{{name}}}" for name in leaked)
            yield path, f"the value comes from {names}, a secret: {_SHOWN}; {_INSTEAD}"


def _secret_reference_variables(spec: Spec) -> set[str]:
    """The variables this spec's secret references read (whatever their names)."""
    docker = spec.gateway.docker
    refs = [docker.password, docker.vnc_password] if docker is not None else []
    if spec.alerts is not None:
        refs += [d.url for d in spec.alerts.destinations if not isinstance(d.url, str)]
    return {ref.env for ref in refs if ref is not None and ref.env}
