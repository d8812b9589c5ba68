#!/bin/sh
# A virtualenv for Wagtail's bakerydemo, the peer benchmarks/portal_gunicorn.py --peer
# measures Anju against (issue 20), on the same Python, Wagtail, Django and gunicorn as
# Anju, so the two differ only in their own code and settings.
#
#     benchmarks/peer/setup_bakerydemo.sh /path/to/bakerydemo [/path/to/venv]
#
# The venv goes next to the checkout (<checkout>-venv) unless given: nothing is written
# inside the checkout. Its requirements are installed as they are, except:
# - Django and Wagtail: bakerydemo's main branch pins the versions it was last upgraded
#   to; the comparison needs Anju's (read from pyproject.toml).
# - uwsgi: bakerydemo's Procfile serves with uwsgi; the benchmark serves both projects
#   with gunicorn, 2 sync workers (Anju's version), so only the application differs.
set -eu

peer=$(cd "${1:?usage: $0 /path/to/bakerydemo [/path/to/venv]}" && pwd)
venv=${2:-${peer%/}-venv}
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-python3.11}

pin() {  # pin NAME: Anju's exact pin for NAME, from pyproject.toml
    grep -io "\"$1==[^\"]*\"" "$root/pyproject.toml" | head -1 | tr -d '"'
}
django=$(pin Django)
wagtail=$(pin wagtail)
gunicorn=$(pin gunicorn)
[ -n "$django" ] && [ -n "$wagtail" ] && [ -n "$gunicorn" ] || {
    echo "could not read the Django, Wagtail and gunicorn pins from $root/pyproject.toml" >&2
    exit 1
}

test -f "$peer/requirements/production.txt" || {
    echo "$peer does not look like a bakerydemo checkout (no requirements/production.txt)" >&2
    exit 1
}

requirements=$(mktemp)
trap 'rm -f "$requirements"' EXIT
# production.txt includes base.txt (-r): flatten both, dropping what is replaced.
for file in base.txt production.txt; do
    grep -v -i -E '^(-r |django[<>=!~ ]|wagtail[<>=!~ ]|uwsgi[<>=!~ ])' \
        "$peer/requirements/$file" >>"$requirements"
done
printf '%s\n%s\n%s\n' "$django" "$wagtail" "$gunicorn" >>"$requirements"

echo "venv $venv ($python): $django, $wagtail, $gunicorn and bakerydemo's other requirements"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q -r "$requirements"
"$venv/bin/python" -c 'import django, wagtail; print("Django", django.get_version(), "Wagtail", wagtail.__version__)'
