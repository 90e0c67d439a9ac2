"""The bscalign commands, one module per command or group of related commands.

Each module defines click commands; :mod:`bscalign.cli` lists them in ``COMMANDS``.
"""
