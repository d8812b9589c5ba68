"""Reading the upload (anju.register.imports.read_table): workbooks through
python-calamine, CSV through the csv module. What a community's real register looks like
— a title row above the header, a notes sheet first, merged building cells, blank rows,
an ID number typed into a number cell — reads as Excel shows it, and a file that cannot
be read is a translated message on the form, never a 500."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from anju.register.imports import ImportFileError, check, read_table
from anju.register.models import RegisterImport

from .test_import import HEADER, good_rows, groups, idn, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def workbook(build) -> bytes:
    book = Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cells_read_as_excel_shows_them():
    def build(book):
        sheet = book.active
        sheet.append(HEADER)
        sheet.append(["1号楼", 1, 301.0, "张三", idn(1), 13800000001, "户主", None])
        sheet.append(
            ["1号楼", "1单元", "302", "李四", idn(2), "", "户主", datetime.date(2020, 1, 2)]
        )

    table = read_table(workbook(build), "名册.xlsx")
    assert table.headers == HEADER
    assert table.first_line == 2 and table.height == 2
    first, second = (list(row) for row in table)
    # Numbers stay numbers here; the dry run shows them as Excel does (301, not 301.0).
    assert first[:5] == ["1号楼", 1, 301, "张三", idn(1)]
    assert first[5] == 13800000001 and first[7] in ("", None)
    assert second[7] == datetime.date(2020, 1, 2)


def test_a_title_row_above_the_header_and_a_notes_sheet_first(world, groups):  # noqa: F811
    def build(book):
        notes = book.active
        notes.title = "填表说明"
        notes.append(["身份证号请设为文本格式"])
        register = book.create_sheet("名册")
        register.append(["某某社区居民花名册"])
        register.merge_cells("A1:H1")
        register.append([])
        register.append(HEADER)
        for row in good_rows():
            register.append(row)
        hidden = book.create_sheet("旧表")
        hidden.sheet_state = "hidden"

    table = read_table(workbook(build), "名册.xlsx")
    assert table.headers == HEADER
    assert table.first_line == 4  # the header is row 3 of the sheet
    assert [row[3] for row in table] == [row[3] for row in good_rows()]

    result = check(table, world.users["committee"])
    assert result.error_count == 0 and len(result.rows) == 4
    assert [row["line"] for row in result.rows] == [4, 5, 6, 7]


def test_merged_building_unit_and_room_cells_belong_to_every_row_they_cover(world, groups):  # noqa: F811
    rows = good_rows()[:3]  # one household: 1号楼 1单元 301

    def build(book):
        sheet = book.active
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        for column in "ABC":  # building, unit, room merged down the household's rows
            sheet.merge_cells(f"{column}2:{column}4")

    table = read_table(workbook(build), "名册.xlsx")
    assert [list(row[:3]) for row in table] == [["1号楼", "1单元", "301"]] * 3

    result = check(table, world.users["committee"])
    assert result.error_count == 0
    assert {(r["unit"], r["room"]) for r in result.rows} == {("1单元", "301")}


def test_blank_rows_are_skipped_and_errors_keep_excels_row_numbers(world, groups):  # noqa: F811
    def build(book):
        sheet = book.active
        sheet.append(HEADER)
        sheet.append(good_rows()[0])
        sheet.append([])
        sheet.append([None] * 8)
        sheet.append(["9号楼", "1单元", "101", "无楼", idn(7), "", "户主", ""])  # row 5

    result = check(read_table(workbook(build), "名册.xlsx"), world.users["committee"])
    assert result.total == 2
    assert [(e["row"], e["column"]) for e in result.errors] == [(5, "楼栋")]


def test_an_id_number_typed_into_a_number_cell_says_how_to_fix_it(world, groups):  # noqa: F811
    number = "410105196005010011"

    def build(book):
        sheet = book.active
        sheet.append(HEADER)
        # As Excel stores 18 digits typed into a General cell: 15 significant digits.
        sheet.append(["1号楼", "1单元", "301", "张三", float(number[:15] + "000"), "", "户主", ""])
        # A program may write the whole number exactly: the reader keeps what a float can.
        sheet.append(["1号楼", "1单元", "302", "李四", int(number), "", "户主", ""])

    result = check(read_table(workbook(build), "名册.xlsx"), world.users["committee"])
    assert result.error_count == 2
    assert all(e["column"] == "身份证号" for e in result.errors)
    assert all("文本" in e["message"] for e in result.errors)  # "format the column as text"


def test_csv_reads_utf8_with_a_bom_and_gb18030_and_quoted_newlines():
    text = '楼栋,单元,房号,姓名,身份证号\n1号楼,1单元,301,"张\n三",' + idn(1) + "\n"
    for encoding in ("utf-8-sig", "gb18030"):
        table = read_table(text.encode(encoding), "名册.csv")
        assert table.headers == HEADER[:5]
        assert [list(row) for row in table] == [["1号楼", "1单元", "301", "张\n三", idn(1)]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名册.xlsx", b"PK\x03\x04 not really a zip", "无法读取"),
        ("名册.xlsx", "楼栋,单元\n".encode(), "无法读取"),  # a CSV named .xlsx
        ("名册.csv", b"\xff\xff\xff", "CSV 文件既不是 UTF-8 也不是 GBK 编码"),
        ("名册.csv", b"\n\n,,\n", "文件为空"),
        ("名册.xls", b"\xd0\xcf\x11\xe0", "请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_message_on_the_form(client, world, name, content, message):
    response = upload(client, world.users["committee"], SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RegisterImport.objects.exists()


def test_read_table_raises_import_file_error_for_an_empty_workbook():
    with pytest.raises(ImportFileError):
        read_table(workbook(lambda book: None), "名册.xlsx")
