"""A third-party deltaflask driver plugin, installed by the tests with pip."""

from setuptools import setup

setup(
    name="deltaflask-sample",
    version="1.0",
    packages=["deltaflask_sample"],
    entry_points={
        "deltaflask": [
            "sample = deltaflask_sample",
            "sample_broken = deltaflask_sample.broken",
        ]
    },
)
