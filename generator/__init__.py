"""emqx-apidocs: the EMQX REST API's OpenAPI spec as a static, offline MkDocs site."""

from .builder import build_api
from .load import load_spec
from .model import Api, Operation, Tag
from .problems import InputError, Problem
from .validate import validate

__version__ = "0.1.0"
__all__ = ["Api", "InputError", "Operation", "Problem", "Tag", "build_api", "load_spec", "validate", "__version__"]
