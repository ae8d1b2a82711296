"""Launch template versions made from a SourceVersion (cloudlab.sim.ec2.templates).

CreateLaunchTemplateVersion API reference, SourceVersion: "the new version inherits the
launch parameters from the source version. If you specify additional launch parameters for
the new version, they overwrite any corresponding launch parameters inherited from the
source version. If you omit this parameter, the new version contains only the launch
parameters that you specify for the new version."
"""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud

USER_DATA = base64.b64encode(b"#!/bin/bash\ndnf install -y httpd\n").decode()


def _data(cloud: Cloud, version: str) -> dict[str, object]:
    return cloud.client("ec2").describe_launch_template_versions(  # type: ignore[no-any-return]
        LaunchTemplateName="web", Versions=[version])["LaunchTemplateVersions"][0][
        "LaunchTemplateData"]


def test_a_new_version_inherits_from_its_source_version(cloud: Cloud) -> None:
    ec2 = cloud.client("ec2")
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro", "UserData": USER_DATA,
        "Monitoring": {"Enabled": True}})
    made = ec2.create_launch_template_version(
        LaunchTemplateName="web", SourceVersion="1", VersionDescription="bigger",
        LaunchTemplateData={"InstanceType": "m5.large"})["LaunchTemplateVersion"]
    assert made["VersionNumber"] == 2 and made["VersionDescription"] == "bigger"
    expected = {"ImageId": "ami-12c6146b", "InstanceType": "m5.large", "UserData": USER_DATA,
                "Monitoring": {"Enabled": True}}
    assert made["LaunchTemplateData"] == expected
    assert _data(cloud, "2") == expected
    # $Latest works as a source too, and a launch from the new version gets the inherited AMI
    ec2.create_launch_template_version(LaunchTemplateName="web", SourceVersion="$Latest",
                                       LaunchTemplateData={"InstanceType": "m5.xlarge"})
    assert _data(cloud, "3")["ImageId"] == "ami-12c6146b"
    run = ec2.run_instances(LaunchTemplate={"LaunchTemplateName": "web", "Version": "3"},
                            MinCount=1, MaxCount=1)["Instances"][0]
    assert (run["ImageId"], run["InstanceType"]) == ("ami-12c6146b", "m5.xlarge")


def test_without_a_source_version_only_the_given_parameters(cloud: Cloud) -> None:
    ec2 = cloud.client("ec2")
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
    ec2.create_launch_template_version(LaunchTemplateName="web",
                                       LaunchTemplateData={"InstanceType": "m5.large"})
    assert _data(cloud, "2") == {"InstanceType": "m5.large"}


def test_a_missing_source_version_is_refused(cloud: Cloud) -> None:
    ec2 = cloud.client("ec2")
    template = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b"})["LaunchTemplate"]
    with pytest.raises(ClientError) as exc:
        ec2.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"],
                                           SourceVersion="9",
                                           LaunchTemplateData={"InstanceType": "m5.large"})
    assert exc.value.response["Error"]["Code"] == "InvalidLaunchTemplateId.VersionNotFound"
    assert "9" in exc.value.response["Error"]["Message"]
    assert ec2.describe_launch_templates()["LaunchTemplates"][0]["LatestVersionNumber"] == 1
