"""Launch template versions that start from a source version, as EC2 makes them.

``create_launch_template_version(SourceVersion=...)``: "the new version inherits the launch
parameters from the source version. If you specify additional launch parameters for the new
version, they overwrite any corresponding launch parameters inherited from the source
version" (CreateLaunchTemplateVersion API reference). moto 5.2 ignores ``SourceVersion``: the
new version holds only the parameters given. :func:`create_version` answers the call instead:
it reads the source version and asks moto for a version with the merged data.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_version", "merge"]


def merge(source: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The source version's launch parameters, each one given replacing its namesake."""
    return {**source, **given}


def create_version(cloud: Any, params: dict[str, Any], region: str) -> dict[str, Any] | None:
    """Create the version with ``SourceVersion`` resolved; ``None`` if there is none.

    Returns:
        the parsed ``CreateLaunchTemplateVersion`` answer.

    Raises:
        botocore.exceptions.ClientError: the source version does not exist
            (``InvalidLaunchTemplateId.VersionNotFound``), as EC2 answers.
    """
    source = params.get("SourceVersion")
    if source is None:
        return None
    ec2 = cloud.client("ec2", region=region)
    which = {k: params[k] for k in ("LaunchTemplateId", "LaunchTemplateName") if params.get(k)}
    versions = ec2.describe_launch_template_versions(**which, Versions=[str(source)])[
        "LaunchTemplateVersions"]
    data = merge(versions[0].get("LaunchTemplateData") or {},
                 params.get("LaunchTemplateData") or {})
    forward = {k: v for k, v in params.items() if k not in ("SourceVersion", "LaunchTemplateData")}
    answer: dict[str, Any] = ec2.create_launch_template_version(**forward, LaunchTemplateData=data)
    answer.pop("ResponseMetadata", None)
    return answer
