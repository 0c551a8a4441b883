"""How a build ends: the exit codes of ``prebirth build`` and the error for a fault of the
build itself. A leaf module (it imports nothing), so that the command line can name the
codes without importing the build, and every stage of the build can raise the error.
"""

EXIT_OK, EXIT_CHAPTER_FAILED, EXIT_BAD_INPUT, EXIT_STOPPED = 0, 1, 2, 130


class BuildError(Exception):
    """A problem with the build itself (not the user's data)."""
