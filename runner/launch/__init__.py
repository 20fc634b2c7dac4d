"""`ibrun run`: interlock, gateway, preflight, node, supervision, summary (`runner.launch.run`)."""
