"""`extends:` reads only regular files inside the spec's project (or allowed directories), says
what a path is when it cannot be read, shows symlink cycles as they are, and never shows anything
of a file that is not a spec."""

from __future__ import annotations

import os

import pytest

from runner.errors import Location
from runner.loading.compose import assemble


def write(directory, name: str, text: str) -> str:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def only_issue(spec: str, **kwargs):
    [issue] = assemble(spec, {}, **kwargs).issues
    assert issue.location == Location(spec, 2, 10), issue  # the `extends:` line
    assert issue.json_path == "$.extends"
    return issue.message


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("/dev/zero", "is a character device, not a regular file"),
        ("{tmp}/fifo.yaml", "is a FIFO (named pipe), not a regular file"),
        ("{tmp}/folder", "is a directory, not a regular file"),
        ("{tmp}/loop.yaml", "is a symbolic link loop"),
    ],
)
def test_special_files_are_named_for_what_they_are(tmp_path, target, what):
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "folder").mkdir()
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    target = target.format(tmp=tmp_path)
    spec = write(tmp_path, "spec.yaml", f"version: 1\nextends: {target}\n")
    assert only_issue(spec, allow_extends=("/dev",)) == f"extended file {target} {what}"


def test_a_symlink_cycle_shows_the_link(tmp_path):
    spec = write(tmp_path, "b.yaml", "version: 1\nextends: c.yaml\n")
    (tmp_path / "c.yaml").symlink_to("b.yaml")
    assert only_issue(spec) == f"extends cycle: {spec} → {tmp_path}/c.yaml (a link to {spec})"


def test_a_path_with_a_newline_is_shown_quoted_on_one_line(tmp_path):
    """Found by the fuzz test: a folded YAML scalar made `extends:` "/dev/zero\\n- SPY.ARCA" and
    the message broke across lines, the second not `file:line:col`."""
    spec = write(tmp_path, "spec.yaml", 'version: 1\nextends: "nope\\n- b.yaml"\n')
    assert only_issue(spec) == f"extended file not found: '{tmp_path}/nope\\n- b.yaml'"
    outside = write(tmp_path, "out.yaml", 'version: 1\nextends: "/dev/zero\\nx"\n')
    assert only_issue(outside).startswith("extended file '/dev/zero\\nx' is outside the spec's")


def test_extends_outside_the_spec_directory_is_refused_without_reading_it(tmp_path):
    spec = write(tmp_path, "specs/spec.yaml", "version: 1\nextends: /etc/passwd\n")
    message = only_issue(spec)
    assert message == (
        f"extended file /etc/passwd is outside the spec's directory {tmp_path}/specs: "
        "allow other directories with --allow-extends DIR (or IBRUN_ALLOW_EXTENDS)"
    )
    assert ":0:0:" not in message  # nothing of the file


def test_the_project_is_the_git_repository_around_the_spec(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "base.yaml", "version: 1\ntrader_id: BASE-1\n")
    spec = write(tmp_path, "envs/deep/spec.yaml", "version: 1\nextends: ../../base.yaml\n")
    assert assemble(spec, {}).issues == ()
    outside = write(tmp_path.parent, f"{tmp_path.name}-other/base.yaml", "version: 1\n")
    escaping = write(tmp_path, "envs/escape.yaml", f"version: 1\nextends: {outside}\n")
    assert f"outside the spec's repository {tmp_path}:" in only_issue(escaping)


def test_a_symlink_inside_the_project_to_a_file_outside_is_refused(tmp_path):
    (tmp_path / "link.yaml").symlink_to("/etc/hostname")
    spec = write(tmp_path, "spec.yaml", "version: 1\nextends: link.yaml\n")
    assert "is outside the spec's directory" in only_issue(spec)


def test_a_file_that_is_not_a_spec_is_neither_merged_nor_shown(tmp_path):
    secrets = write(tmp_path, "other/creds.yaml", "AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI\nregion: eu\n")
    spec = write(tmp_path, "spec.yaml", "version: 1\nextends: other/creds.yaml\n")
    message = only_issue(spec)
    assert message == (
        f"extended file {secrets} is not an ibrun spec (no top-level 'version: 1' or 'extends:', and not only "
        "spec keys): nothing of it is used or shown"
    )
    broken = write(tmp_path, "other/broken.yaml", "password: [unclosed\n")
    spec = write(tmp_path, "spec2.yaml", "version: 1\nextends: other/broken.yaml\n")
    assert only_issue(spec).startswith(f"extended file {broken} is not an ibrun spec")


def test_a_base_with_only_spec_keys_needs_no_version(tmp_path):
    write(tmp_path, "base.yaml", "trader_id: BASE-1\ndata: {client_id: 3}\n")
    spec = write(tmp_path, "spec.yaml", "version: 1\nextends: base.yaml\n")
    result = assemble(spec, {})
    assert result.issues == ()
    assert result.data == {"version": 1, "trader_id": "BASE-1", "data": {"client_id": 3}}


def test_allow_extends_option_and_environment_variable(ibrun, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    write(shared, "base.yaml", "version: 1\ntrader_id: SHARED-1\n")
    spec = write(tmp_path, "specs/spec.yaml", f"version: 1\nextends: {shared}/base.yaml\n")
    refused = ibrun("validate", spec)
    assert refused.exit_code == 1
    assert "is outside the spec's directory" in refused.stdout
    assert ibrun("validate", "--allow-extends", str(shared), spec).exit_code == 0
    monkeypatch.setenv("IBRUN_ALLOW_EXTENDS", f"/nonexistent{os.pathsep}{shared}")
    assert ibrun("config", spec).exit_code == 0
