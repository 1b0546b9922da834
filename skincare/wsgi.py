import os

from django.core.wsgi import get_wsgi_application

from skincare.celery import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
application = get_wsgi_application()
warm_up()  # in each web process as it starts, not in its first request that queues a task
