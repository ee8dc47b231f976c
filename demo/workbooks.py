"""Import workbooks (`communities.imports`) as a town fills them in: the tests' and the import
benchmark's. Headers as the template names them; rows as given."""

import io

from openpyxl import Workbook

COMMUNITY_HEADER = [
    "乡镇(街道)",
    "社区名称",
    "类别",
    "类型",
    "户数",
    "人口",
    "成立日期",
    "办公地址",
    "办公电话",
]
MEMBER_HEADER = [
    "乡镇(街道)",
    "社区",
    "姓名",
    "所属组织",
    "职务",
    "专职",
    "在本社区居住起始日期",
    "联系电话",
    "经选举产生",
    "持有社会工作者职业水平证书",
    "其他证书",
    "报酬方式",
]


def workbook(communities=(), members=(), write_only: bool = False) -> bytes:
    """A workbook with a 社区 sheet of `communities` rows and, when there are `members` rows, a 成员
    sheet; `write_only` streams the rows (a workbook of many thousands)."""
    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    sheet = book.create_sheet("社区")
    sheet.append(COMMUNITY_HEADER)
    for row in communities:
        sheet.append(row)
    members = iter(members)
    first = next(members, None)
    if first is not None:
        sheet = book.create_sheet("成员")
        sheet.append(MEMBER_HEADER)
        sheet.append(first)
        for row in members:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
