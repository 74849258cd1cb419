#!/bin/sh
# Container entrypoint. Commands:
#   web        (default) start gunicorn with the production settings; with MIGRATE_ON_START=1
#              apply migrations first (fine for one instance; with several, run `migrate` once)
#   migrate    apply database migrations and exit (the one-shot release step)
#   manage ... any manage.py command, e.g. `manage createsuperuser` or `manage check --deploy`
#   anything else is executed as given (e.g. `sh`).
set -eu

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-iamconsole.settings}"
export IAMCONSOLE_ENV="${IAMCONSOLE_ENV:-production}"
cd "$(dirname "$0")/.."

migrate() {
    python manage.py migrate --noinput
}

case "${1:-web}" in
    web)
        if [ "${MIGRATE_ON_START:-0}" = "1" ]; then
            migrate
        fi
        exec gunicorn --config gunicorn.conf.py iamconsole.wsgi
        ;;
    migrate)
        migrate
        ;;
    manage)
        shift
        exec python manage.py "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
