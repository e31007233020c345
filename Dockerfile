FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DATA_DIR=/data
WORKDIR /srv/clinicportal
COPY pyproject.toml README.md app.py settings.py cli.py ./
COPY schema ./schema
COPY resolvers ./resolvers
COPY models ./models
COPY realtime ./realtime
COPY jobs ./jobs
COPY web ./web
COPY telemetry ./telemetry
COPY portal ./portal
RUN pip install --no-cache-dir . && useradd --system --home /data clinicportal && mkdir -p /data/uploads && chown -R clinicportal /data
USER clinicportal
EXPOSE 8000
CMD ["clinicportal", "serve", "--host", "0.0.0.0", "--port", "8000"]
