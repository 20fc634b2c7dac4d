"""`ibrun download` through the CLI: exit codes, clear errors, SIGINT and resume."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from runner.cli.download import download
from runner.cli.entry import main
from tests.download.conftest import bars
from tests.gateway.image import stub_tws

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
AAPL_MINUTES = "AAPL.NASDAQ-1-MINUTE-LAST-EXTERNAL"


def run_cli(args: list[str], capsys) -> tuple[int, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def base_spec(**download: object) -> dict:
    return {
        "version": 1,
        "gateway": {"simulated": {}},
        "instruments": {"load_ids": ["AAPL.NASDAQ"]},
        "download": {"bars": [{"specs": ["1-HOUR-LAST"], "start": "2023-11-01", "end": "2023-11-02"}], **download},
    }


def test_bad_bar_spec_and_window_point_at_the_file(write_spec, capsys) -> None:
    spec = base_spec(
        bars=[
            {"specs": ["1-HOUR-LAST", "7-MINUTE-LAST"], "start": "2023-11-06", "end": "2023-11-01"},
        ]
    )
    path = write_spec(spec)
    code, output = run_cli(["download", str(path)], capsys)
    assert code == 1
    assert f"{path}:" in output
    assert "IB has no 7-MINUTE bars; MINUTE steps are 1, 2, 3, 5, 10, 15, 20, 30" in output
    assert "end (2023-11-01 00:00:00) must be after start (2023-11-06 00:00:00)" in output


def test_unknown_contract_exits_9(write_spec, capsys, tmp_path: Path) -> None:
    spec = base_spec(catalog=str(tmp_path / "catalog"))
    spec["instruments"]["load_ids"] = ["AAPL.NASDAQ", "ZZZZQ.NASDAQ"]
    code, output = run_cli(["download", str(write_spec(spec))], capsys)
    assert code == 9
    assert "no security definition for ZZZZQ.NASDAQ" in output


def test_unreachable_gateway_exits_4(write_spec, capsys) -> None:
    spec = base_spec()
    spec["gateway"] = {"host": "127.0.0.1", "port": 9}  # nothing listens on discard
    code, output = run_cli(["download", str(write_spec(spec))], capsys)
    assert code == 4
    assert "connection refused at 127.0.0.1:9" in output and "default ports" in output


def test_client_id_in_use_exits_6(write_spec, capsys) -> None:
    spec = base_spec()
    spec["gateway"] = {"host": "127.0.0.1", "port": stub_tws.start_in_thread("client-id-in-use")}
    code, output = run_cli(["download", str(write_spec(spec))], capsys)
    assert code == 6
    assert "client id 5" in output and "download.client_id" in output


def test_shorthand_and_catalog_override(write_spec, capsys, tmp_path: Path) -> None:
    path = write_spec(base_spec(catalog=str(tmp_path / "ignored")))
    code, output = run_cli([str(path), "--catalog", str(tmp_path / "chosen"), "-q"], capsys)
    assert code == 0, output
    # Nov 1 2023 in regular hours: 09:30 (a half bar), 10:00 .. 15:00
    assert len(bars(tmp_path / "chosen", "AAPL.NASDAQ-1-HOUR-LAST-EXTERNAL")) == 7
    assert not (tmp_path / "ignored").exists()
    assert "AAPL.NASDAQ" in output and "7" in output
    assert "first ts_event (UTC)" in output and "2023-11-01 13:30" in output  # the catalog's time: bar open


def _slow_spec(write_spec, catalog: Path) -> Path:
    # 6 days of 1-minute bars = 7 chunks; at most one request per 0.6 s keeps the run slow
    # enough to interrupt in the middle.
    return write_spec(
        {
            "version": 1,
            "gateway": {"simulated": {"pacing": {"max_requests": 1, "window_seconds": 0.6}}},
            "instruments": {"load_ids": ["AAPL.NASDAQ"]},
            "download": {
                "catalog": str(catalog),
                "bars": [{"specs": ["1-MINUTE-LAST"], "start": "2023-11-01", "end": "2023-11-07"}],
            },
        }
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP], ids=["SIGINT", "SIGHUP"])
def test_a_signal_leaves_a_consistent_catalog_and_resumes(write_spec, tmp_path: Path, sig: signal.Signals) -> None:
    catalog = tmp_path / "catalog"
    spec = _slow_spec(write_spec, catalog)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from runner.cli.entry import main; main()", "download", str(spec)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    bar_dir = catalog / "data" / "bar" / AAPL_MINUTES
    deadline = time.monotonic() + 90
    while len(list(bar_dir.glob("*.parquet"))) < 2 and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "consistent" in stderr and "run the same command again to resume" in stderr

    files = sorted(bar_dir.glob("*.parquet"))
    assert 2 <= len(files) < 7
    for file in files:  # whole files only: every one is readable parquet
        assert pq.read_metadata(file).num_rows > 0
    assert not list((catalog / ".ibrun").glob("tmp/*"))

    result = download(spec, quiet=True)  # resume
    got = bars(catalog, AAPL_MINUTES)
    stamps = [b.ts_event for b in got]
    assert stamps == sorted(set(stamps))  # no duplicates
    assert len(got) == 4 * 390  # nothing lost: the regular sessions of Nov 1, 2, 3 and 6
    assert result.rows_written == len(got) - sum(pq.read_metadata(f).num_rows for f in files)


class _Listener:
    """Accepts connections on a given port and never answers (a gateway that hangs)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.accepted = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            self.accepted.set()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the thread
        self.sock.close()
        for conn in self._conns:
            conn.close()


def test_sigterm_while_the_client_reconnects_during_a_pacing_wait_prints_no_traceback(
    write_spec, tmp_path: Path
) -> None:
    # The gateway goes away during a long pacing wait (IB Gateway's daily restart): the IB client
    # starts reconnecting in tasks of its own, which are cancelled at exit; its task callback then
    # raised CancelledError twice, each printed as a traceback before the clean "interrupted" line.
    from tests.launch.helpers import StreamWatcher, free_port, kill_group

    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "runner.sim", "--port", str(port), "--no-pacing"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    listener = None
    catalog = tmp_path / "catalog"
    spec = write_spec(
        {
            "version": 1,
            "gateway": {"host": "127.0.0.1", "port": port},
            "instruments": {"load_ids": ["AAPL.NASDAQ"]},
            "download": {
                "catalog": str(catalog),
                "pacing": {"max_requests": 1, "window_seconds": 600},  # one request, then a long wait
                "bars": [{"specs": ["1-MINUTE-LAST"], "start": "2023-11-01", "end": "2023-11-07"}],
            },
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-c", "from runner.cli.entry import main; main()", "download", str(spec)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    err = StreamWatcher(process.stderr)
    try:
        assert StreamWatcher(sim.stdout).wait_for("IBRUN-SIM READY", 30)
        bar_dir = catalog / "data" / "bar" / AAPL_MINUTES
        deadline = time.monotonic() + 90
        while not list(bar_dir.glob("*.parquet")):  # the first chunk is written: the wait begins
            assert process.poll() is None and time.monotonic() < deadline, err.text()[-3000:]
            time.sleep(0.05)
        kill_group(sim.pid)
        sim.wait(10)
        listener = _Listener(port)  # where the client's reconnect lands (and hangs)
        assert listener.accepted.wait(60), "the IB client never tried to reconnect"
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    finally:
        kill_group(process.pid)
        kill_group(sim.pid)
        if listener is not None:
            listener.close()
    stderr = err.text()
    assert process.returncode == 130, stderr[-3000:]
    assert "download interrupted after 1/" in stderr and "run the same command again to resume" in stderr
    assert "Traceback" not in stderr and "Exception in callback" not in stderr and "CancelledError" not in stderr
