"""Real credentials for the generated-input run (scripts/schemathesis), printed as shell
variables: the demo game's KGeN client id and secret (from its first-start banner), an
i3D API key of a new account that is logged in, a GameFuse user's authentication token.

    python3 scripts/schemathesis-credentials.py BASE_URL ADMIN_TOKEN WORK_DIR
"""

import json
import re
import sys
import urllib.parse
import urllib.request

base, admin_token, work = sys.argv[1:4]


def call(method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
        return json.loads(text) if text else None


banner = open(f"{work}/demo-secret").read()
client_id = re.search(r"client id:\s+(\S+)", banner).group(1)
client_secret = re.search(r"client secret:\s+(\S+)", banner).group(1)
game = re.search(r"game id (\d+), game token (\S+)", banner)
game_id, game_token = game.group(1), game.group(2)

admin = {"authorization": f"Bearer {admin_token}"}
password = "schemathesis-password-1"
call("POST", "/admin/accounts", {"userName": "fuzz", "password": password, "email": "fuzz@example.org"}, admin)
key = call("POST", "/admin/api-keys", {"label": "schemathesis"}, admin)["key"]
call("POST", "/v3/session/login", {"userName": "fuzz", "password": password}, {"PRIVATE-TOKEN": key})

query = urllib.parse.urlencode({"game_id": game_id, "game_token": game_token})
user = call(
    "POST",
    f"/api/v3/users?{query}",
    {"email": "fuzz@example.org", "username": "fuzz", "password": password, "password_confirmation": password},
)

print(f"KGEN_ID={client_id}")
print(f"KGEN_SECRET={client_secret}")
print(f"I3D_KEY={key}")
print(f"GF_TOKEN={user['authentication_token']}")
print(f"GF_GAME_ID={game_id}")
print(f"GF_GAME_TOKEN={game_token}")
print(f"GF_USER_ID={user['id']}")
