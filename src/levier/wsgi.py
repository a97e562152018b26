import os

from django.core.wsgi import get_wsgi_application

from levier.startup import refuse_insecure_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levier.settings")
application = get_wsgi_application()
# Every WSGI server (gunicorn through `levier serve`, or another) stops here with the demo key.
refuse_insecure_secret_key()
