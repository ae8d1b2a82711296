"""CloudLab's own errors: one small tree rooted at :class:`CloudLabError`.

Errors that the real AWS would raise are *not* here: those are
``botocore.exceptions.ClientError`` with the AWS error code, exactly as on AWS.
These are the errors of the course tooling itself (wrong arguments to the
simulation, an unknown check, a file the grader cannot read). Each also
inherits the builtin a user would naturally catch::

    CloudLabError
    ├── BackendNotAvailable      (ValueError)    unknown or not-yet-built backend
    ├── CloudNotStarted          (RuntimeError)  using a Cloud after stop()
    ├── EndpointNotServed        (RuntimeError)  a request the mini cloud cannot answer
    ├── ClockError               (ValueError)    moving time backwards, bad durations
    ├── InvalidScenario          (ValueError)    bad traffic, fleet or run parameters
    │   └── UnknownInstanceType  (KeyError)      instance type not in the catalog
    ├── UnknownCheck             (KeyError)      check("lab99.nope")
    ├── GradingError             (RuntimeError)  the grader or release tool cannot proceed
    │   ├── NotANotebook         (ValueError)    missing file or not .ipynb JSON
    │   └── UnknownLab           (ValueError)    notebook of a lab with no checks
    ├── MalformedPolicy          (ValueError)    an IAM policy document that AWS would reject
    ├── UnknownPrincipal         (LookupError)   no IAM user or role by that name
    ├── InvalidCidr              (ValueError)    "10.0.0.0/33", host bits set, out of bounds
    ├── UnknownResource          (LookupError)   an id that names nothing in the mini cloud
    └── KeyFileExists            (FileExistsError) refusing to overwrite a saved private key

Messages say what was wrong, what was expected and what to do.
"""

from __future__ import annotations

__all__ = [
    "BackendNotAvailable",
    "ClockError",
    "CloudLabError",
    "CloudNotStarted",
    "EndpointNotServed",
    "GradingError",
    "InvalidScenario",
    "NotANotebook",
    "UnknownCheck",
    "UnknownInstanceType",
    "UnknownLab",
    "MalformedPolicy",
    "UnknownPrincipal",
    "InvalidCidr",
    "UnknownResource",
    "KeyFileExists",
]


class CloudLabError(Exception):
    """Base class of every error raised by CloudLab itself."""


class BackendNotAvailable(CloudLabError, ValueError):
    """The requested backend does not exist or is not built yet."""


class CloudNotStarted(CloudLabError, RuntimeError):
    """The Cloud was stopped (or never started) and cannot answer."""


class EndpointNotServed(CloudLabError, RuntimeError):
    """A boto3 request the embedded mini cloud cannot answer; nothing was sent to AWS."""


class ClockError(CloudLabError, ValueError):
    """Invalid use of the virtual clock (negative durations, scheduling in the past)."""


class InvalidScenario(CloudLabError, ValueError):
    """Invalid simulation input: traffic models, fleets, run parameters."""


class UnknownInstanceType(InvalidScenario, KeyError):
    """An instance type that is not in ``cloudlab/data/instance_types.json``."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownCheck(CloudLabError, KeyError):
    """``check()`` was given a name that no lab defines."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class GradingError(CloudLabError, RuntimeError):
    """The grader or the release tool cannot proceed."""


class NotANotebook(GradingError, ValueError):
    """A path that does not exist or is not a Jupyter notebook."""


class UnknownLab(GradingError, ValueError):
    """A notebook whose lab has no checks."""


class MalformedPolicy(CloudLabError, ValueError):
    """An IAM policy document that AWS would reject (bad JSON, missing Effect, ...)."""


class UnknownPrincipal(CloudLabError, LookupError):
    """No IAM user or role by that name or ARN in the mini cloud."""


class InvalidCidr(CloudLabError, ValueError):
    """A CIDR block that is malformed, has host bits set, or is outside AWS's bounds."""


class UnknownResource(CloudLabError, LookupError):
    """An id (instance, subnet, ENI, load balancer, ...) that names nothing in the mini cloud."""


class KeyFileExists(CloudLabError, FileExistsError):
    """A private key file already exists; CloudLab never overwrites one."""
