"""Domain errors. No web framework here: app.api maps these to problem+json answers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One thing wrong with an input document or request.

    `location` names where: a line and element for XML ("line 12, <werkproces>"), a row and
    column for a table ("row 4, column weight"), or a field path for JSON.
    """

    location: str
    message: str


class DomainError(Exception):
    """Base class: every error a service may raise on purpose."""

    title = "Error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    title = "Not found"

    def __init__(self, resource: str, key: object) -> None:
        super().__init__(f"{resource} {key} does not exist")
        self.resource = resource
        self.key = key


class Conflict(DomainError):
    """A well-formed request that the data as stored refuses (409): it collides with a record, names one
    that does not exist, or asks for more than there is. The same request can succeed once the data
    changes; a request that is wrong whatever the data is an InvalidDocument or a validation error (422)."""

    title = "Conflict"

    def __init__(self, detail: str, errors: list[ErrorItem] | None = None) -> None:
        super().__init__(detail)
        self.errors: list[ErrorItem] = list(errors or [])


class ImportRunning(Conflict):
    """An import job holds the catalogue: one import at a time, across every replica."""

    def __init__(self, job_id: int | None, state: str = "") -> None:
        if job_id is None:
            super().__init__("another import is starting; try again when it has ended")
        else:
            super().__init__(
                f"import job {job_id} is running ({state}); try again when it has ended (GET /v1/imports/{job_id})"
            )
        self.job_id = job_id


class PreconditionFailed(DomainError):
    """An If-Match that no longer holds: someone else changed the resource first."""

    title = "Precondition failed"


class InvalidDocument(DomainError):
    """An uploaded document (XML, CSV, XLSX) that cannot be imported. Nothing was written."""

    title = "Invalid document"

    def __init__(self, detail: str, errors: list[ErrorItem] | None = None, *, document: str = "") -> None:
        super().__init__(detail)
        self.errors: list[ErrorItem] = list(errors or [])
        self.document = document  # the file it is about, where known (an import of several files)


class UnsupportedDocument(InvalidDocument):
    """A document of a type we do not read (wrong media type or file extension)."""

    title = "Unsupported document type"


class NothingToScore(DomainError):
    """A match was asked for where the stored data gives nothing to score on: a workplace or profile
    without skills (409, like every refusal that depends on the data rather than on the request)."""

    title = "Nothing to score"


class NothingSent(NothingToScore):
    """A request that itself carries nothing to score: no skills, and no skill statement could be read
    from its description (422: the request is what is wrong)."""


class NoProgrammes(NothingToScore):
    """A match was asked for while no programme with skill content is there to score against: the catalogue is
    empty, holds programmes known by name only, or none at the niveau asked for."""

    title = "No programme to score against"
