"""A small reference client for the Anju API, as a phone app or another system uses it.

Standard library only (urllib, json): copy this one file into any Python 3.11+ project.

    from anju_client import AnjuClient

    client = AnjuClient("https://anju.example.cn")
    client.request_code("13907431234")               # the resident gets an SMS
    client.sign_in("13907431234", "123456")          # keeps the personal token
    client.notices()                                  # the public notices
    case = client.file_request("repair", {"field_1": "水管漏水"},
                               name="张桂英", phone="13907431234")
    client.my_cases()                                 # follow it
    client.sign_out()                                 # revoke this device's token

Another system uses its integration key instead of signing in:
``AnjuClient(url, token="anju_…")``. Every error is an ``AnjuError`` with the HTTP
status and the server's (translated) message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid


class AnjuError(Exception):
    def __init__(self, status: int, detail, challenge: str = ""):
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        #: The WWW-Authenticate challenge of a 401 (why a token was refused).
        self.challenge = challenge


class AnjuClient:
    def __init__(self, base_url: str, token: str | None = None, language: str = "zh-hans"):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.language = language

    # --- plumbing -------------------------------------------------------------------

    def call(self, method: str, path: str, data=None, query=None, headers=None):
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        body = None
        sent = {"Accept": "application/json", "Accept-Language": self.language}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if data is not None:
            body = json.dumps(data).encode("utf-8")
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        request = urllib.request.Request(url, data=body, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                detail = json.loads(raw)
            except ValueError:
                detail = raw.decode("utf-8", "replace")
            if isinstance(detail, dict) and set(detail) == {"detail"}:
                detail = detail["detail"]
            raise AnjuError(error.code, detail, error.headers.get("WWW-Authenticate", "")) from None
        return json.loads(raw) if raw else None

    # --- signing in (residents) -----------------------------------------------------

    def request_code(self, phone: str) -> str:
        """Ask for the SMS code; the answer is the same for any number."""
        return self.call("POST", "/api/auth/code/", {"phone": phone})["detail"]

    def sign_in(self, phone: str, code: str, device: str = "anju_client") -> dict:
        """Exchange phone + code for a personal token, kept for the calls that follow."""
        answer = self.call(
            "POST", "/api/auth/token/", {"phone": phone, "code": code, "device": device}
        )
        self.token = answer["token"]
        return answer

    def me(self) -> dict:
        return self.call("GET", "/api/auth/me/")

    def sign_out(self) -> None:
        """Revoke the token in use (this device only)."""
        self.call("POST", "/api/auth/revoke/")
        self.token = None

    # --- reading --------------------------------------------------------------------

    def notices(self, **query) -> list[dict]:
        answer = self.call("GET", "/api/notices/", query=query)
        return answer["results"] if isinstance(answer, dict) and "results" in answer else answer

    def pages(self, page_type: str | None = None, **query) -> list[dict]:
        """Published pages from Wagtail's API (/api/v2/pages/), e.g. job postings."""
        if page_type:
            query["type"] = page_type
        return self.call("GET", "/api/v2/pages/", query=query)["items"]

    def forms(self) -> list[dict]:
        return self.call("GET", "/api/services/forms/")

    # --- requests -------------------------------------------------------------------

    def file_request(
        self,
        slug: str,
        answers: dict,
        *,
        name: str,
        phone: str,
        idempotency_key: str | None = None,
    ) -> dict:
        """File a request; a retry with the same ``idempotency_key`` returns the first
        case instead of making a second one."""
        key = idempotency_key or uuid.uuid4().hex
        data = {**answers, "requester_name": name, "requester_phone": phone}
        return self.call(
            "POST",
            f"/api/services/forms/{slug}/submit/",
            data,
            headers={"Idempotency-Key": key},
        )

    def my_cases(self) -> list[dict]:
        return self.call("GET", "/api/services/my-cases/")["results"]

    def track(self, reference: str, phone_last4: str) -> dict:
        return self.call(
            "POST", "/api/services/track/", {"reference": reference, "phone_last4": phone_last4}
        )
