"""The one error hierarchy: each message says what happened, the bad value and the fix."""


class RagError(Exception):
    """Base of every error the project raises on purpose; entry points catch only this."""


class ConfigError(RagError):
    """A setting or option has a value that cannot work."""


class ModelMissingError(RagError):
    """A model file is absent or corrupt; the message gives the command that installs it."""


class StoreMissingError(RagError):
    """No index exists where one was expected; the message says to run `python -m ingest`."""


class StoreMismatchError(RagError):
    """The store was built with another embedder or chunking than the current settings."""


class StoreUnavailableError(RagError):
    """A Chroma server could not be reached."""


class InputError(RagError):
    """A source file or record cannot be ingested; carries the path and line."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class GenerationError(RagError):
    """The language model failed to produce an answer."""


class EmptyQuestionError(RagError):
    """The question is empty or only whitespace."""


class QuestionTooLongError(RagError):
    """The question is longer than the model's context can take with its evidence."""
