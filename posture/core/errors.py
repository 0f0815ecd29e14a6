"""The one exception type for user mistakes and unusable environments (exit code 2)."""


class UserError(Exception):
    """A problem the user can fix: the message names the thing and the fix, in one line."""
