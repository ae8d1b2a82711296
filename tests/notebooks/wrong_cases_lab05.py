"""Wrong-answer cases for lab 05 (EC2 instances, AMIs and bootstrapping).

Each case is (lab prefix, question, {solution text: wrong text}, words the hint must contain);
``test_wrong_answers.py`` runs the solution with the replacement and grades that question.
"""

CASES = [
    # -- lab05.lifecycle ---------------------------------------------------------------------
    ("05", "lab05.lifecycle",
     {"trial_billed_s = 120 - pending_s ": "trial_billed_s = 120 "},
     "the seconds in `pending` are free"),
    ("05", "lab05.lifecycle",
     {"blip_billed_s = max(30 - pending_s, 60)": "blip_billed_s = 30 - pending_s"},
     "60-second minimum"),
    ("05", "lab05.lifecycle",
     {"lifecycle_cost_usd = (trial_billed_s + blip_billed_s) * price_per_hour / 3600":
      "lifecycle_cost_usd = 2 * price_per_hour"},
     "billed per second"),
    ("05", "lab05.lifecycle",
     {"cloud.advance(seconds=120 - pending_s)": "cloud.advance(seconds=60 - pending_s)"},
     "terminate trial_id 2 minutes (120 s) after its launch"),
    # -- lab05.user_data ---------------------------------------------------------------------
    ("05", "lab05.user_data",
     {"user_data_serve_s = seconds_to_healthy(web_id)":
      "user_data_serve_s = seconds_to_healthy(web_id) - pending_s"},
     "count from its launch"),
    # registering while pending: the cell raises AWS's InvalidTarget (whose message says to
    # wait), so `user_data_serve_s` is never set
    ("05", "lab05.user_data",
     {"wait_until_running(web_id)\n": ""},
     "define `user_data_serve_s` first"),
    ("05", "lab05.user_data",
     {"SecurityGroupIds=[web_sg], UserData=WEB_USER_DATA,": "SecurityGroupIds=[web_sg],"},
     "did not install httpd at boot"),
    # -- lab05.golden_ami --------------------------------------------------------------------
    ("05", "lab05.golden_ami",
     {"SubnetId=subnets[az_b]": "SubnetId=subnets[az_a]"},
     "launch it in another AZ"),
    ("05", "lab05.golden_ami",
     {"saving_s = user_data_serve_s - golden_serve_s":
      "saving_s = golden_serve_s - user_data_serve_s"},
     "`saving_s` has the wrong sign"),
    ("05", "lab05.golden_ami",
     {'ImageId=golden_ami, InstanceType="t3.micro"': 'ImageId=ami_id, InstanceType="t3.micro"'},
     "launch `clone_id` from `golden_ami`"),
    ("05", "lab05.golden_ami",
     {"SubnetId=subnets[az_b], SecurityGroupIds=[web_sg],":
      "SubnetId=subnets[az_b], SecurityGroupIds=[web_sg], UserData=WEB_USER_DATA,"},
     "the clone reinstalled packages at boot"),
    # -- lab05.broken_bootstrap --------------------------------------------------------------
    ("05", "lab05.broken_bootstrap",
     {"cloud.advance(minutes=2)": "cloud.advance(seconds=20)"},
     "you read it too early"),
    ("05", "lab05.broken_bootstrap",
     {'broken_reason = health["TargetHealth"]["Reason"]':
      'broken_reason = health["TargetHealth"]["Description"]'},
     "the 'Reason' key"),
    ("05", "lab05.broken_bootstrap",
     {'fixed_user_data = BROKEN_USER_DATA.replace("systemctl enable httpd", '
      '"systemctl enable --now httpd")':
      'fixed_user_data = "#!/bin/bash\\nsystemctl start httpd\\n"'},
     "still never starts a web server on port 80"),
    ("05", "lab05.broken_bootstrap",
     {"fixed_id = ec2.run_instances(\n    ImageId=ami_id,":
      "fixed_id = ec2.run_instances(\n    ImageId=golden_ami,"},
     "launch `fixed_id` from the base AMI"),
    ("05", "lab05.broken_bootstrap",
     {"ec2.terminate_instances(InstanceIds=[broken_id])": "pass"},
     "terminate `broken_id`"),
    # -- lab05.launch_template ---------------------------------------------------------------
    ("05", "lab05.launch_template",
     {'ec2.modify_launch_template(LaunchTemplateName="web", DefaultVersion="2")': "pass"},
     "promote version 2"),
    ("05", "lab05.launch_template",
     {"default_id = ec2.run_instances(":
      'ec2.modify_launch_template(LaunchTemplateName="web", DefaultVersion="2")\n'
      "default_id = ec2.run_instances("},
     "*before* you make version 2 the default"),
    ("05", "lab05.launch_template",
     {'"Version": "$Latest"': '"Version": "$Default"'},
     "`latest_id` was launched from version 1"),
    ("05", "lab05.launch_template",
     {'"MetadataOptions": {"HttpTokens": "required"':
      '"MetadataOptions": {"HttpTokens": "optional"'},
     "allows IMDSv1"),
    # -- lab05.copy_ami ----------------------------------------------------------------------
    ("05", "lab05.copy_ami",
     {"dr_serve_s = dr_record.serving_t - dr_record.launch_t": "dr_serve_s = dr_record.serving_t"},
     "is a time on the clock"),
    ("05", "lab05.copy_ami",
     {"SourceImageId=golden_ami": "SourceImageId=ami_id"},
     "carries no web server"),
    ("05", "lab05.copy_ami",
     {"dr_ami = dr_ec2.copy_image(": "dr_ami = ec2.copy_image("},
     "call copy_image on a client of the destination Region"),
]
