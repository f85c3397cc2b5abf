#!/usr/bin/env bash
# A file past Lambda's 6 MB through the presigned upload, then validated by its upload_id:
#   TOKEN=$(make -s token) bash examples/presigned_upload.sh [file] [kind]
# API defaults to the local stack's http://127.0.0.1:3000/api.
set -euo pipefail
FILE=${1:-examples/partners.csv}
KIND=${2:-distributors}
API=${API:-http://127.0.0.1:3000/api}
json() { python3 -c "import json, sys; d = json.load(sys.stdin)['data']; $1"; }

# 1. a presigned POST: its URL and the form fields S3 checks
TICKET=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$API/$KIND/import/uploads")
mapfile -t FORM < <(json 'print(*(f"-F{k}={v}" for k, v in d["fields"].items()), sep="\n")' <<<"$TICKET")
URL=$(json 'print(d["upload_url"])' <<<"$TICKET")
UPLOAD_ID=$(json 'print(d["upload_id"])' <<<"$TICKET")

# 2. the file to S3: every field as given and in order, the file last
curl -sf "${FORM[@]}" -F "file=@$FILE" "$URL" >/dev/null

# 3. validate it by its upload id
curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
     -d "{\"upload_id\": \"$UPLOAD_ID\"}" "$API/$KIND/import/validate"
echo
