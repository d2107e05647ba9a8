"""Errors that end a CLI command with one clear line instead of a traceback."""


class CommandFailed(Exception):
    """A command could not do its job; the message is the one line the user sees."""
