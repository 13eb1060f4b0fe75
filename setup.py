"""Packaging for deltaflask.

The repository keeps the layout of the design card (``deltaflask/``, ``plugins/``,
``templates/``, ``mock/``); ``package_dir`` installs the last three inside the
``deltaflask`` package so a non-editable install ships everything.
"""

from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent


def subpackages(root: str, package: str) -> list[str]:
    """List ``package`` and its sub-packages found under the folder ``root``."""
    found = [package]
    for init in sorted((HERE / root).rglob("__init__.py")):
        relative = init.parent.relative_to(HERE / root)
        if relative.parts:
            found.append(".".join((package, *relative.parts)))
    return found


def data_files_under(root: str) -> list[str]:
    """Every file below ``root``, relative to it (package data globs)."""
    return [
        str(path.relative_to(HERE / root))
        for path in sorted((HERE / root).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


EXTRAS = {
    "ec2": ["boto3>=1.28"],
    "openstack": ["openstacksdk>=1.0"],
    "vsphere": ["pyvmomi>=8.0"],
    "rhevm": ["ovirt-engine-sdk-python>=4.6"],
    "azure": ["azure-storage-blob>=12.19"],
    "google": ["google-cloud-storage>=2.10"],
    "opennebula": ["pyone>=6.8"],
}
EXTRAS["all"] = sorted({req for reqs in EXTRAS.values() for req in reqs})
#: the production server: ``gunicorn deltaflask.wsgi:app``
EXTRAS["server"] = ["gunicorn>=22"]
#: shared state of several nodes in PostgreSQL (``DATABASE_URL``)
EXTRAS["postgres"] = ["psycopg[binary,pool]>=3.1"]
#: the Python client and ``deltaflask-cli``
EXTRAS["client"] = ["requests>=2.31", "rich>=13"]
EXTRAS["test"] = [
    *EXTRAS["client"],
    # 9.2 reads test ids from a field xdist 3.8 does not group by (xdist_group)
    "pytest>=8,<9.2",
    "pytest-xdist>=3.5",
    "hypothesis>=6.90",
    "defusedxml>=0.7",
    "ruff>=0.6",
    "gunicorn>=22",
    "wheel>=0.40",
    "boto3>=1.28",
    "moto[server]>=5.0",
    "awscli>=1.30",
    "playwright>=1.40",
    "WebTest>=3.0",
    *EXTRAS["postgres"],
    "azure-storage-blob>=12.19",
    "ovirt-engine-sdk-python>=4.6",
    "google-cloud-storage>=2.10",
    "gcp-storage-emulator>=2024.0",
    "pyvmomi>=8.0",
    "pyone>=6.8",
    "openstacksdk>=1.0",
    "openapi-spec-validator>=0.7",
    "jsonschema>=4.18",
]

setup(
    name="deltaflask",
    version="0.1.0",
    description="Many IaaS clouds behind one REST API: a Flask rebuild of Deltacloud",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.11",
    packages=[
        *subpackages("deltaflask", "deltaflask"),
        *subpackages("plugins", "deltaflask.plugins"),
        "deltaflask.templates",
        "deltaflask.mock",
    ],
    package_dir={
        "deltaflask": "deltaflask",
        "deltaflask.plugins": "plugins",
        "deltaflask.templates": "templates",
        "deltaflask.mock": "mock",
    },
    package_data={
        "deltaflask.templates": data_files_under("templates"),
        "deltaflask.mock": data_files_under("mock"),
        "deltaflask.plugins": [
            path
            for path in data_files_under("plugins")
            if not path.endswith((".py", ".pyc"))
        ],
    },
    install_requires=[
        "flask>=3.0",
        "jinja2>=3.1",
        "werkzeug>=3.0",
        "marshmallow>=3.20",
        "xmltodict>=0.13",
        "pluggy>=1.3",
        "defusedxml>=0.7",
        "prometheus_client>=0.17",
        "apispec>=6.0",
    ],
    extras_require=EXTRAS,
    entry_points={
        "console_scripts": [
            "deltaflask = deltaflask.cli:main",
            "deltaflask-cli = deltaflask.client.cli:main",
        ],
        "deltaflask": [
            "mock = deltaflask.plugins.mock",
            "ec2 = deltaflask.plugins.ec2",
            "azure = deltaflask.plugins.azure",
            "rhevm = deltaflask.plugins.rhevm",
            "google = deltaflask.plugins.google",
            "vsphere = deltaflask.plugins.vsphere",
            "opennebula = deltaflask.plugins.opennebula",
            "openstack = deltaflask.plugins.openstack",
            "deltacloud = deltaflask.plugins.deltacloud",
            "cimi = deltaflask.plugins.cimi",
            "ec2_frontend = deltaflask.plugins.ec2_frontend",
        ],
    },
    zip_safe=False,
)
