"""Record & replay round trip over TCP: a nautilus node's session against the simulator, through
`ibrun record`; then the same node against `ibrun sim --replay` with the simulator gone: the same
instruments, the same quotes, the same fill."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Quantity
from node_harness import node_config, run_scenario, wait_until
from sim_settings import sim_config

from runner.sim.config import SimConfig
from runner.sim.launcher import free_port_config, start_simulator
from runner.sim.replay.recorder import capped_hello
from runner.sim.replay.recording import FORMAT, read_recording
from runner.sim.replay.scrub import Scrubber

pytestmark = pytest.mark.slow

AAPL = InstrumentId.from_str("AAPL.NASDAQ")
LOAD_IDS = frozenset({"AAPL.NASDAQ", "EUR/USD.IDEALPRO"})
QUOTES = 8
RECORD = [sys.executable, "-c", "import sys; from runner.cli.entry import main; main(sys.argv[1:])", "record"]


async def _session(node, strategy) -> dict:
    """What the test compares: instruments, the first quotes, the market order's fill."""
    strategy.subscribe_quote_ticks(AAPL)
    seen = strategy.seen
    await wait_until(lambda: len(seen[f"quote:{AAPL}"]) >= QUOTES, 20, "quotes")
    order = strategy.order_factory.market(AAPL, OrderSide.BUY, Quantity.from_int(10))
    strategy.submit_order(order)
    await wait_until(lambda: seen["order:OrderFilled"], 20, "fill")
    fill = seen["order:OrderFilled"][0]
    return {
        "instruments": sorted(str(i.id) for i in node.cache.instruments()),
        "quotes": [(str(q.bid_price), str(q.ask_price)) for q in seen[f"quote:{AAPL}"][:QUOTES]],
        "fill": (str(fill.last_px), str(fill.last_qty), str(fill.commission)),
    }


def _start_recorder(upstream_port: int, out: Path) -> tuple[subprocess.Popen[str], int]:
    argv = [*RECORD, "--upstream", f"127.0.0.1:{upstream_port}", "--listen", "127.0.0.1:0", "--out", str(out)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the recorder listens (or exits)
    assert line.startswith("IBRUN-RECORD READY"), line + (process.stderr.read() if process.stderr else "")
    port = int(line.split("listen=")[1].split()[0].rsplit(":", 1)[1])
    return process, port


def test_a_recorded_session_replays_without_the_simulator(tmp_path):
    recording = tmp_path / "session.jsonl"
    with start_simulator(sim_config(), startup_timeout=20) as sim:
        recorder, port = _start_recorder(sim.port, recording)
        try:
            recorded = run_scenario(node_config(port, LOAD_IDS), _session)
        finally:
            recorder.send_signal(signal.SIGTERM)
            assert recorder.wait(10) == 0
    assert not sim.alive()  # the simulated world is gone

    text = recording.read_text()
    assert json.loads(text.splitlines()[0])["format"] == FORMAT
    assert "DU123456" not in text and "DU0000001" in text  # the account is scrubbed

    replay = dataclasses.replace(free_port_config(SimConfig()), replay_file=str(recording), control_port=None)
    with start_simulator(replay, startup_timeout=20) as replayed:
        again = run_scenario(node_config(replayed.port, LOAD_IDS), _session)
        unmatched = [line for line in replayed.stderr_tail(500).splitlines() if "no recorded answer" in line]
    assert again == recorded
    assert unmatched == []  # every request the node sent found its recorded counterpart


def test_scrubbing_and_the_version_cap():
    scrubber = Scrubber()
    assert scrubber.fields(["15", "1", "DU123456,U7654321"]) == ["15", "1", "DU0000001,U0000002"]
    assert scrubber.fields(["4", "-1", "2", "order for DU123456 rejected"])[3] == "order for DU0000001 rejected"
    assert scrubber.fields(["78", "1", "DU123456", "FAM1"]) == ["78", "1", "DU0000001", ""]
    assert capped_hello("v100..223", 200) == "v100..200" and capped_hello("v157..178", 200) == "v157..178"
    assert capped_hello("v100..223 +PACEAPI", 200) == "v100..200 +PACEAPI"
    assert capped_hello("v100..223", 0) == "v100..223"


def test_a_bad_recording_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"format": "something else"}\n')
    with pytest.raises(ValueError, match="not an ibrun recording"):
        read_recording(path)
