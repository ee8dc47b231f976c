"""Excel import: the page forms validate every row; one bad row imports nothing."""

import io

import pytest
from django.db import IntegrityError, OperationalError
from openpyxl import Workbook, load_workbook

from communities.imports import run_import, template_workbook
from communities.models import Community
from core.models import Job
from demo.factories import CommunityFactory
from demo.workbooks import COMMUNITY_HEADER, workbook
from personnel.models import Member

GOOD_COMMUNITY = [
    "东华街道",
    "朝阳社区",
    "城市社区",
    "普通型",
    2600,
    7300,
    "2012-05-01",
    "朝阳路8号",
    "0471-6612345",
]
GOOD_MEMBER = [
    "东华街道",
    "朝阳社区",
    "刘洋",
    "社区居委会",
    "主任",
    "是",
    "2003-04-01",
    "13900000000",
    "是",
    "否",
    "",
    "",
]


def test_template_has_the_form_headers(world):
    book = load_workbook(io.BytesIO(template_workbook(world.clerk)))
    assert book["社区"][1][0].value == "乡镇(街道)"
    assert [c.value for c in book["社区"][1]][:9] == COMMUNITY_HEADER
    assert "姓名" in [c.value for c in book["成员"][1]]
    codes = {(row[0], row[1]): row[2] for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert "城市社区" in codes[("社区", "类别")]


def test_import_creates_communities_and_members_with_history(world):
    report = run_import(world.clerk, workbook([GOOD_COMMUNITY], [GOOD_MEMBER]), check_only=False)
    assert report.errors == []
    community = Community.objects.get(name="朝阳社区")
    assert (community.unit, community.kind, community.households) == (world.t1, "urban", 2600)
    member = Member.objects.get(name="刘洋")
    assert (member.community, member.body, member.role, member.full_time) == (
        community,
        "residents_committee",
        "director",
        True,
    )
    assert member.history.get().history_user == world.clerk
    assert report.as_summary()["created"] == {"社区": 1, "成员": 1}


def test_second_import_updates_instead_of_duplicating(world):
    run_import(world.clerk, workbook([GOOD_COMMUNITY], [GOOD_MEMBER]), check_only=False)
    changed = [*GOOD_COMMUNITY[:4], 2700, *GOOD_COMMUNITY[5:]]
    report = run_import(world.clerk, workbook([changed], [GOOD_MEMBER]), check_only=False)
    assert report.as_summary()["updated"] == {"社区": 1, "成员": 1}
    assert Community.objects.get(name="朝阳社区").households == 2700
    assert Member.objects.filter(name="刘洋").count() == 1


def test_one_bad_row_reports_that_row_and_imports_nothing(world):
    bad = ["东华街道", "坏数据社区", "城市社区", "普通型", 0, 100, "2999-01-01", "", ""]
    report = run_import(world.clerk, workbook([GOOD_COMMUNITY, bad], [GOOD_MEMBER]), check_only=False)
    assert "“社区”第3行 户数:户数必须为正整数。" in report.errors
    assert "“社区”第3行 成立日期:日期不能晚于今天。" in report.errors
    assert not any("第2行" in error for error in report.errors)
    assert not Community.objects.filter(name__in=["朝阳社区", "坏数据社区"]).exists()
    assert not Member.objects.exists()


def test_rows_outside_the_scope_are_refused(world):
    foreign = [*GOOD_COMMUNITY]
    foreign[0] = "四十里镇"
    report = run_import(world.clerk, workbook([foreign]), check_only=False)
    assert report.errors == ["“社区”第2行 乡镇(街道):“四十里镇”不是您管辖的乡镇(街道)。"]
    member_elsewhere = ["四十里镇", "四十里镇红光社区", *GOOD_MEMBER[2:]]
    report = run_import(world.clerk, workbook([], [member_elsewhere]), check_only=False)
    assert report.errors and not Member.objects.exists()


def test_check_only_validates_without_saving(world):
    report = run_import(world.clerk, workbook([GOOD_COMMUNITY], [GOOD_MEMBER]), check_only=True)
    assert report.errors == [] and report.rows == 2
    assert not Community.objects.filter(name="朝阳社区").exists() and not Member.objects.exists()


def test_not_a_workbook(world):
    report = run_import(world.clerk, b"PK\x03\x04 not really", check_only=False)
    assert report.errors and "xlsx" in report.errors[0]


def test_missing_columns_are_reported(world):
    book = Workbook()
    book.active.title = "社区"
    book.active.append(["乡镇(街道)", "社区名称"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(world.clerk, buffer.getvalue(), check_only=False)
    assert report.errors and "缺少列" in report.errors[0]


class TestPage:
    def test_upload_runs_a_job_that_lists_bad_rows(
        self, world, client, eager_tasks, django_capture_on_commit_callbacks
    ):
        client.force_login(world.clerk)
        bad = ["东华街道", "坏数据社区", "城市社区", "普通型", -1, 100, "2010-01-01", "", ""]
        upload = io.BytesIO(workbook([GOOD_COMMUNITY, bad]))
        upload.name = "社区.xlsx"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/communities/import/", {"workbook": upload})
        job = Job.objects.get(kind=Job.Kind.IMPORT)
        assert response["Location"] == f"/jobs/{job.pk}/"
        assert job.state == Job.State.FAILED
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        assert "“社区”第3行 户数:户数必须为正整数。" in page
        assert not Community.objects.filter(name="朝阳社区").exists()

    def test_upload_imports_when_all_rows_are_good(
        self, world, client, eager_tasks, django_capture_on_commit_callbacks
    ):
        client.force_login(world.clerk)
        upload = io.BytesIO(workbook([GOOD_COMMUNITY], [GOOD_MEMBER]))
        upload.name = "社区.xlsx"
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/communities/import/", {"workbook": upload})
        job = Job.objects.get(kind=Job.Kind.IMPORT)
        assert job.state == Job.State.DONE and job.summary["created"] == {"社区": 1, "成员": 1}
        assert "社区新增 1" in client.get(f"/jobs/{job.pk}/").content.decode()

    def test_a_renamed_file_that_is_not_xlsx_is_refused(self, world, client):
        client.force_login(world.clerk)
        upload = io.BytesIO(b"name,households\n")
        upload.name = "社区.xlsx"
        response = client.post("/communities/import/", {"workbook": upload})
        assert "请上传 .xlsx 格式" in response.content.decode()
        assert not Job.objects.exists()

    @pytest.mark.parametrize(
        "user,status", [("clerk", 200), ("reviewer", 403), ("officer", 403), ("reader", 403)]
    )
    def test_only_record_keepers_import(self, world, client, user, status):
        client.force_login(getattr(world, user))
        assert client.get("/communities/import/").status_code == status
        assert client.get("/communities/import/template.xlsx").status_code == status


FACILITY_HEADER = [
    "乡镇(街道)",
    "社区",
    "类别",
    "名称",
    "地址",
    "建筑面积(平方米)",
    "居民活动用房面积(平方米)",
    "有院落或广场",
    "功能用房",
    "挂牌",
    "服务窗口",
    "办事程序、制度上墙公示",
    "一站式大厅办理事项",
    "服务站点",
    "服务功能",
    "宣传栏(块)",
    "公开栏(块)",
    "农村社区三栏",
    "电子显示屏",
    "办公设备",
]


def facility_workbook(*rows) -> bytes:
    book = Workbook()
    book.active.title = "设施"
    book.active.append(FACILITY_HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def facility_row(**change):
    row = dict(
        zip(
            FACILITY_HEADER,
            [
                "东华街道",
                "幸福社区",
                "社区服务站",
                "幸福社区服务站",
                "幸福路1号",
                360,
                250,
                "否",
                "综合服务大厅(一门式/便民)、文体活动室,警务室",
                "社区党组织、社区服务站",
                "",
                "是",
                "",
                "",
                "",
                1,
                2,
                "",
                "是",
                "电脑2台",
            ],
            strict=True,
        )
    )
    row.update(change)
    return list(row.values())


def test_facility_rows_take_code_lists_by_label(world):
    from facilities.models import Facility

    report = run_import(world.clerk, facility_workbook(facility_row()), check_only=False)
    assert report.errors == []
    station = Facility.objects.get(community=world.c1)
    assert station.rooms == ["service_hall", "activity_room", "police_room"]
    assert station.plaques == ["party_org", "service_station"]
    assert (station.area_m2, station.electronic_screen) == (360, True)


def test_facility_rules_apply_to_imported_rows(world):
    from facilities.models import Facility

    bad = facility_row(**{"居民活动用房面积(平方米)": 400, "功能用房": "卫生室"})
    report = run_import(
        world.clerk, facility_workbook(facility_row(**{"名称": "第二服务站"}), bad), check_only=False
    )
    assert any(error.startswith("“设施”第3行 居民活动用房面积(平方米):") for error in report.errors)
    assert any(error.startswith("“设施”第3行 功能用房:") for error in report.errors)
    assert not Facility.objects.exists()


# ---- a database error midway: the transaction takes everything back --------------------------------


def community_row(community, households):
    return [
        community.unit.name,
        community.name,
        "城市社区",
        "普通型",
        households,
        3 * households,
        "2010-05-01",
        "",
        "",
    ]


def saved_state():
    """Rows and history rows of what an import writes, and the communities' values."""
    return (
        Community.objects.count(),
        Community.history.count(),
        Member.objects.count(),
        Member.history.count(),
        sorted(Community.objects.values_list("name", "households")),
    )


@pytest.fixture
def fail_midway(monkeypatch):
    """Make the database refuse the import late in the file, on every attempt: on the second community
    row it updates (the first is saved by then, with its history row), or on writing the members after
    the whole 社区 sheet (updates and new rows) is in."""

    def install(where, error):
        if where == "second_update":
            real, updates = Community.save, []

            def save(self, *args, **kwargs):
                if self.pk is not None:
                    updates.append(self.pk)
                    if len(updates) % 2 == 0:  # each attempt updates two rows
                        raise error
                return real(self, *args, **kwargs)

            monkeypatch.setattr(Community, "save", save)
        else:

            def bulk_create(*args, **kwargs):
                raise error

            monkeypatch.setattr(Member._default_manager, "bulk_create", bulk_create)

    return install


def midway_workbook(world):
    second = CommunityFactory(unit=world.t1, name="东华第二社区")
    return workbook(
        [community_row(world.c1, 3001), community_row(second, 3002), GOOD_COMMUNITY],
        [GOOD_MEMBER],
    )


@pytest.mark.parametrize(
    "where,error",
    [
        ("second_update", OperationalError("server closed the connection unexpectedly")),
        ("members", IntegrityError('duplicate key value violates unique constraint "member_pkey"')),
    ],
)
def test_a_database_error_midway_saves_nothing(world, fail_midway, where, error):
    data = midway_workbook(world)
    before = saved_state()
    fail_midway(where, error)

    with pytest.raises(type(error)):
        run_import(world.clerk, data, check_only=False)

    assert saved_state() == before
    assert not Community.objects.filter(name="朝阳社区").exists()


class TestDatabaseErrorInTheJob:
    def upload(self, client, world, data):
        client.force_login(world.clerk)
        upload = io.BytesIO(data)
        upload.name = "社区.xlsx"
        client.post("/communities/import/", {"workbook": upload})
        return Job.objects.get(kind=Job.Kind.IMPORT)

    @pytest.mark.django_db(transaction=True)
    def test_the_job_fails_with_a_chinese_message_and_nothing_is_saved(
        self, world, client, eager_tasks, fail_midway
    ):
        data = midway_workbook(world)
        before = saved_state()
        fail_midway("members", IntegrityError('duplicate key value violates unique constraint "member_pkey"'))

        job = self.upload(client, world, data)

        job.refresh_from_db()
        assert job.state == Job.State.FAILED
        assert job.errors[0].startswith("导入时数据库出错,未导入任何数据(已全部撤销)")
        assert "导入时数据库出错" in client.get(f"/jobs/{job.pk}/").content.decode()
        assert saved_state() == before

    @pytest.mark.django_db(transaction=True)
    def test_a_database_down_throughout_fails_the_job_after_its_retries(
        self, world, client, eager_tasks, fail_midway, monkeypatch
    ):
        from communities import tasks

        attempts = []
        real = tasks.import_workbook

        def counted(*args, **kwargs):
            attempts.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(tasks, "import_workbook", counted)
        data = midway_workbook(world)
        before = saved_state()
        fail_midway("second_update", OperationalError("server closed the connection unexpectedly"))

        job = self.upload(client, world, data)

        job.refresh_from_db()
        assert len(attempts) == 1 + tasks.run_import.max_retries
        assert job.state == Job.State.FAILED
        assert job.errors == [
            "数据库多次暂时不可用,导入失败,未导入任何数据:server closed the connection unexpectedly"
        ]
        assert saved_state() == before
