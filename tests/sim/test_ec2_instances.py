"""The instance book's records: a memoised boot plan is the plan a fresh ``plan_boot`` makes
for the instance's image and user data."""

from __future__ import annotations

from cloudlab import Cloud
from cloudlab.sim.ec2.bootstrap import Software, plan_boot
from cloudlab.sim.ec2.instances import InstanceRecord, instance_book

AMI = "ami-12c6146b"
WEB = "#!/bin/bash\ndnf install -y httpd\nsystemctl enable --now httpd\n"
SLOW = "#!/bin/bash\ndnf -y update\ndnf install -y httpd php\nsystemctl enable --now httpd\n"


def test_instances_launched_alike_share_the_plan_a_fresh_plan_boot_gives(cloud: Cloud) -> None:
    ec2 = cloud.client("ec2")
    book = instance_book(cloud)

    def launch(image: str, user_data: str | None) -> InstanceRecord:
        extra = {"UserData": user_data} if user_data else {}
        answer = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, **extra)
        return book.get(answer["Instances"][0]["InstanceId"])

    first = launch(AMI, WEB)
    cloud.advance(minutes=10)  # user data done: an image of it carries httpd, enabled
    golden = ec2.create_image(InstanceId=first.instance_id, Name="golden")["ImageId"]
    assert book.images[golden] != Software()
    # each case differs from an earlier one in the image or in the user data alone
    for image, user_data in [(AMI, SLOW), (golden, WEB), (golden, None), (AMI, None),
                             (golden, SLOW), (AMI, WEB)]:
        record = launch(image, user_data)
        assert record.plan == plan_boot(book.images.get(image, Software()), user_data), (
            image, user_data)
    again = launch(AMI, WEB)
    assert again.plan is launch(AMI, WEB).plan


def test_own_calls_quiet_the_book_inside_and_restore_it_after(cloud: Cloud) -> None:
    book = instance_book(cloud)
    assert book.quiet is False
    with book.own_calls():
        assert book.quiet is True
        with book.own_calls():
            assert book.quiet is True
        assert book.quiet is True  # the inner one restores the outer one's quiet
    assert book.quiet is False
    try:
        with book.own_calls():
            raise KeyError("a call failed")
    except KeyError:
        pass
    assert book.quiet is False  # restored, and the error went on
