"""The load scenario of `benchmarks.load_20k`: portal users on the REST API with about 1 s
of think time, 80% reads (lists, details, self-checks, stats) and 20% writes.

Each simulated user takes the next persona of the file named by LOAD_PERSONAS (written by the
runner): a town clerk (reads and writes its town), a district reviewer (reads its district) or the
city officer (reads the city, polls the city's figures as a big screen does). Request names group the
figures by kind, not by id.
"""

import itertools
import json
import os
import random
from datetime import date

from locust import FastHttpUser, between, task

PERSONAS = json.loads(open(os.environ["LOAD_PERSONAS"], encoding="utf-8").read())  # noqa: SIM115
_NEXT = {kind: itertools.cycle(PERSONAS[kind]) for kind in PERSONAS}
YEAR = PERSONAS["year"][0]["year"]


class PortalUser(FastHttpUser):  # geventhttpclient: the load generator shares the server's cores
    abstract = True
    wait_time = between(0.5, 1.5)  # about 1 s of think time
    persona_kind = ""

    def on_start(self):
        self.persona = next(_NEXT[self.persona_kind])
        # The session adds `auth_header` to every request it sends (and keeps it on writes, which a
        # per-request Authorization header given with a JSON body is not).
        self.client.auth_header = f"Token {self.persona['token']}"
        self.headers = {"Accept": "application/json"}
        self.rng = random.Random(self.persona["token"])

    def read(self, url, name):
        with self.client.get(url, name=name, headers=self.headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    def community(self):
        return self.rng.choice(self.persona["communities"])


class Clerk(PortalUser):
    """Reads and keeps its town's records: 18 reads to 7 writes, so that with the reviewers' and the
    officers' reads the whole load is about 80% reads and 20% writes (35 × 7/25 of 50 users)."""

    weight = 35
    persona_kind = "clerks"

    @task(4)
    def communities(self):
        self.read(f"/api/v1/communities/?unit={self.persona['unit']}", "GET communities/ (list)")

    @task(4)
    def community_detail(self):
        self.read(f"/api/v1/communities/{self.community()}/", "GET communities/{id}/")

    @task(3)
    def members(self):
        self.read(f"/api/v1/members/?community={self.community()}", "GET members/?community=")

    @task(3)
    def self_checks(self):
        self.read(f"/api/v1/self-checks/?year={YEAR}&unit={self.persona['unit']}", "GET self-checks/ (list)")

    @task(2)
    def self_check_detail(self):
        if self.persona["self_checks"]:
            self.read(
                f"/api/v1/self-checks/{self.rng.choice(self.persona['self_checks'])}/",
                "GET self-checks/{id}/",
            )

    @task(2)
    def stats(self):
        self.read(f"/api/v1/stats/overview/?year={YEAR}", "GET stats/overview/ (town)")

    @task(4)
    def edit_community(self):
        body = {"phone": f"0471-{self.rng.randint(1000000, 9999999)}"}
        with self.client.patch(
            f"/api/v1/communities/{self.community()}/",
            json=body,
            name="PATCH communities/{id}/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(3)
    def add_activity(self):
        body = {
            "community": self.community(),
            "kind": "culture",
            "held_on": date.today().isoformat(),
            "title": "负载测试文化活动",
            "participants": self.rng.randint(10, 80),
        }
        with self.client.post(
            "/api/v1/activities/", json=body, name="POST activities/", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Reviewer(PortalUser):
    weight = 12
    persona_kind = "reviewers"

    @task(3)
    def self_checks(self):
        self.read(f"/api/v1/self-checks/?year={YEAR}&status=submitted", "GET self-checks/ (list)")

    @task(3)
    def communities(self):
        self.read("/api/v1/communities/", "GET communities/ (list)")

    @task(2)
    def community_detail(self):
        self.read(f"/api/v1/communities/{self.community()}/", "GET communities/{id}/")

    @task(2)
    def stats(self):
        self.read(f"/api/v1/stats/overview/?year={YEAR}", "GET stats/overview/ (district)")

    @task(1)
    def units(self):
        self.read(f"/api/v1/stats/units/?year={YEAR}", "GET stats/units/ (district)")


class Officer(PortalUser):
    """The city office and its big screen: the city's figures and lists."""

    weight = 3
    persona_kind = "officers"

    @task(2)
    def stats(self):
        self.read(f"/api/v1/stats/overview/?year={YEAR}", "GET stats/overview/ (city)")

    @task(1)
    def trend(self):
        self.read(f"/api/v1/stats/trend/?year={YEAR}", "GET stats/trend/ (city)")

    @task(2)
    def designations(self):
        self.read(f"/api/v1/designations/?year={YEAR}", "GET designations/ (list)")

    @task(2)
    def self_checks(self):
        self.read(f"/api/v1/self-checks/?year={YEAR}&status=district_approved", "GET self-checks/ (list)")
