FROM python:3.11-slim

# Production mode by default: the container refuses to start without SECRET_KEY (see .env.example).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files for the production storage (WhiteNoise's compressed manifest): without the manifest
# every page that links a static file answers 500. The key only exists for this build step.
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key python manage.py collectstatic --noinput

EXPOSE 8000
# No gunicorn access log: the app writes one line per request with its request id (LOG_REQUESTS).
CMD ["gunicorn", "skincare.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
