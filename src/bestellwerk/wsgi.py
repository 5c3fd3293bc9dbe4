import os

from django.core.wsgi import get_wsgi_application

from bestellwerk.core.checks import refuse_development_key_in_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestellwerk.settings")
application = get_wsgi_application()
refuse_development_key_in_production()
