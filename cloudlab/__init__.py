"""CloudLab: a mini AWS cloud for learning cloud architecture in notebooks."""
