from runner.cli.sim import sim_command

if __name__ == "__main__":
    sim_command(prog_name="python -m runner.sim")
