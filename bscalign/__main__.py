from bscalign.cli import main

main()
