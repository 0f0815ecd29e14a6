"""One module per subcommand, each with `run(args) -> int`; `posture.app.cli` imports the one
asked for, so quick commands never load the model stack."""
