"""The project's one input-error type."""


class InputError(ValueError):
    """Raised when an input file or setting is malformed.

    The message names the file and, where there is one, the line or site,
    and says what is wrong, so a user can fix the input without reading code.
    """
