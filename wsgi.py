"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

import sys

from console import create_app
from console.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    sys.exit(f"console: configuration error: {error}")
