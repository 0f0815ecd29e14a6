"""The exceptions the command line turns into exit codes: user mistakes and unusable
environments (2), and a command the user stopped (130)."""


class UserError(Exception):
    """A problem the user can fix: the message names the thing and the fix, in one line."""


class Interrupted(Exception):
    """The user stopped a command (Ctrl+C) that had not finished: the message says, in one
    line, what was kept."""
