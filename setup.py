"""Packaging beyond pyproject.toml: the model folder ships as data only.

`posture.models` maps the repository's models/ into the package (see pyproject.toml), and that
folder also holds the script that rebuilds the model: a tool for developers, not a module of
the program, so it is left out of the built package.
"""

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    """build_py that takes only the __init__ module from the data-only packages."""

    DATA_ONLY = ("posture.models", "posture.calibration_data")

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        if package in self.DATA_ONLY:
            return [m for m in modules if m[1] == "__init__"]
        return modules


setup(cmdclass={"build_py": BuildPy})
