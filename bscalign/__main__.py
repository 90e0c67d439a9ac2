from bscalign.cli import run

run()
