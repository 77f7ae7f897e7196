from tlr.cli import run

run()
