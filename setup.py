# Packages are found automatically; the top-level rules/ folder (rule definitions as data)
# is installed as the package `apigov_ls.rules`, so rules stay data at the top of the
# repository and still ship inside the wheel.
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["apigov_ls", "apigov_ls.*"]) + ["apigov_ls.rules"],
    package_dir={"apigov_ls.rules": "rules"},
)
