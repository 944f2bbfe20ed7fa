"""Builds csipls._native with CMake against the csipls C++ package.

Where the C++ package is: the CSIPLS_PREFIX environment variable (an install prefix or a build
tree, e.g. $PWD/build/release), else CMAKE_PREFIX_PATH, else the repository's build/release (when
built from a checkout), else the standard places.
"""
import os
import subprocess
import sys
from pathlib import Path

import pybind11
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        source = Path(__file__).resolve().parent
        target = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build = Path(self.build_temp).resolve() / "cmake"
        build.mkdir(parents=True, exist_ok=True)
        prefixes = [str(Path(p).resolve()) for p in (os.environ.get("CSIPLS_PREFIX"), os.environ.get("CMAKE_PREFIX_PATH")) if p]
        checkout_build = source.parents[1] / "build" / "release"
        if not prefixes and (checkout_build / "csiplsConfig.cmake").exists():
            prefixes.append(str(checkout_build))
        prefixes.append(pybind11.get_cmake_dir())
        configure = ["cmake", "-S", str(source), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                     f"-DPython3_EXECUTABLE={sys.executable}", f"-DCMAKE_PREFIX_PATH={';'.join(prefixes)}",
                     f"-DCMAKE_LIBRARY_OUTPUT_DIRECTORY={target}"]
        if os.environ.get("CMAKE_CXX_COMPILER_LAUNCHER"):
            configure.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={os.environ['CMAKE_CXX_COMPILER_LAUNCHER']}")
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build), "--parallel", os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")],
                       check=True)


setup(ext_modules=[CMakeExtension("csipls._native")], cmdclass={"build_ext": CMakeBuild})
