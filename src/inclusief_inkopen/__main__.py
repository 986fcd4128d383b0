"""The command line's entry point: ``python -m inclusief_inkopen`` and the ``inclusief-inkopen`` script.

Python's cycle collector is told what a command's process is like. What importing the engine builds (modules,
classes, compiled patterns) lives until the process ends, yet the collector kept looking through it, a little
more at each pass; after the import it is frozen (``gc.freeze``), so the passes look only at what the command
itself makes, and the collector runs as always for long commands (``scan``, ``serve``). At exit Python would
search every object still alive for cycles once more, about a twentieth of a one-tender command's time: the
process is ending, so they are frozen too and their memory goes back to the system whole. Nothing is lost by
it: a command's files are written through ``with`` blocks and closed before it returns, and standard output is
flushed at exit as always.
"""

import gc
import sys


def run() -> None:
    """Run the command of ``sys.argv`` and exit with its code."""
    gc.disable()
    try:
        from inclusief_inkopen.cli import main
    finally:
        gc.freeze()
        gc.enable()
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
