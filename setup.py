"""Packaging details pyproject.toml cannot express: the data folders at the top of the checkout
(``resources/`` and the model manifest in ``models/``) are shipped inside the ``app`` and
``pipeline`` packages of a built wheel, so a plain ``pip install .`` finds them.
Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["app", "app.*", "pipeline", "pipeline.*"]),
        "app.bundled_resources",
        "app.bundled_resources.icons",
        "pipeline.models.bundled_manifest",
    ],
    package_dir={
        "app.bundled_resources": "resources",
        "pipeline.models.bundled_manifest": "models",
    },
    package_data={
        "app.bundled_resources": ["*.qss", "*.toml", "*.json"],
        "app.bundled_resources.icons": ["*.svg", "*.png"],
        "pipeline.models.bundled_manifest": ["manifest.toml"],
    },
    include_package_data=False,
)
