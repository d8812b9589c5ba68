"""Importing households and residents from the spreadsheet a community keeps (导入居民档案).

The layout, one resident a row, headers in Chinese or English (any order, extra columns
ignored): 楼栋 building · 单元 unit · 房号 room · 姓名 name · 身份证号 ID number ·
电话 phone · 与户主关系 relation to the head · 特殊群体 special groups (several, separated
by 、，; or spaces) · 户籍地 township of household registration (a township's name or code;
blank leaves what the register holds).

Three steps, each its own function:

* :func:`read_table` reads the upload — a workbook with python-calamine, CSV (UTF-8 or
  the GB18030 that Excel writes on a Chinese Windows) with the csv module — so the file
  format is a library's business, not ours, and finds the header row;
* :func:`check` validates every row — headers, ID number (the register's own
  ``validate_id_number``: format, birth date, check digit), phone, relation, groups,
  buildings the user may import into, the same ID number twice in the file, an ID number
  already registered where the user may not change it — and returns the row errors in
  the reader's language plus the checked rows and what importing them would do. Nothing
  is saved: it is the dry run;
* :func:`apply_rows` writes a slice of checked rows in one transaction, in bulk:
  households are found or created by building + unit + room, residents matched by their
  ID number's keyed digest (the number itself is encrypted) — a resident already
  registered is updated only where the file differs, so importing the same file twice
  changes nothing the second time. Special groups named in the file are added, never
  taken away (a tag set by staff since the file was made stays).

Who may import: anyone who may add households and residents (committee members, grid
workers), into the buildings of the grids they may see — the whole community for the
committee, their own grid for a grid worker. A building outside those reads as unknown.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import python_calamine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from encrypted_fields.fields import EncryptedFieldMixin

from anju.community.idnumbers import (
    birth_date_of,
    gender_of,
    normalise_id_number,
    validate_id_number,
    validate_phone,
)
from anju.community.models import (
    Building,
    Household,
    Resident,
    SpecialGroup,
    Township,
    id_number_digest,
    phone_digest,
)
from anju.core.lookups import AnyOf
from anju.core.normalise import normalise_number
from anju.permissions.scope import visible_grids

MAX_ROWS = 200_000
MAX_BYTES = 30 * 1024 * 1024
#: Errors kept and shown (all are counted).
MAX_ERRORS_KEPT = 500
#: Residents per look-up query when matching by digest.
LOOKUP_CHUNK = 5000

# column key → (label shown, accepted headers, lower-cased)
COLUMNS: dict[str, tuple[object, tuple[str, ...]]] = {
    "building": (gettext_lazy("building"), ("楼栋", "楼号", "楼栋号", "楼", "building")),
    "unit": (gettext_lazy("unit"), ("单元", "单元号", "unit")),
    "room": (gettext_lazy("room"), ("房号", "房间号", "门牌号", "室", "room")),
    "name": (gettext_lazy("name"), ("姓名", "name")),
    "id_number": (
        gettext_lazy("ID number"),
        ("身份证号", "身份证号码", "公民身份号码", "id number", "id_number"),
    ),
    "phone": (gettext_lazy("phone"), ("电话", "手机", "手机号", "联系电话", "phone")),
    "relation": (
        gettext_lazy("relation to the head"),
        ("与户主关系", "关系", "relation", "relation to head", "relation to the head"),
    ),
    "groups": (
        gettext_lazy("special groups"),
        ("特殊群体", "特殊人群", "special groups", "groups"),
    ),
    # 户籍地: the township of the household registration (Resident.hukou_township), by
    # its name or code. Blank leaves the register's as it is (an import never clears it).
    "hukou_township": (
        gettext_lazy("township of household registration"),
        (
            "户籍地",
            "户籍所在地",
            "户籍乡镇",
            "户籍所在乡镇",
            "hukou township",
            "hukou_township",
            "township of household registration",
        ),
    ),
}
REQUIRED = ("building", "unit", "room", "name", "id_number")

# What communities write for the relation to the head, beside the register's own labels.
RELATION_WORDS = {
    "户主": Resident.Relation.HEAD,
    "本人": Resident.Relation.HEAD,
    "配偶": Resident.Relation.SPOUSE,
    "妻": Resident.Relation.SPOUSE,
    "妻子": Resident.Relation.SPOUSE,
    "夫": Resident.Relation.SPOUSE,
    "丈夫": Resident.Relation.SPOUSE,
    "子女": Resident.Relation.CHILD,
    "子": Resident.Relation.CHILD,
    "女": Resident.Relation.CHILD,
    "儿子": Resident.Relation.CHILD,
    "女儿": Resident.Relation.CHILD,
    "长子": Resident.Relation.CHILD,
    "长女": Resident.Relation.CHILD,
    "次子": Resident.Relation.CHILD,
    "次女": Resident.Relation.CHILD,
    "儿媳": Resident.Relation.CHILD_IN_LAW,
    "女婿": Resident.Relation.CHILD_IN_LAW,
    "儿媳或女婿": Resident.Relation.CHILD_IN_LAW,
    "父母": Resident.Relation.PARENT,
    "父亲": Resident.Relation.PARENT,
    "母亲": Resident.Relation.PARENT,
    "孙子": Resident.Relation.GRANDCHILD,
    "孙女": Resident.Relation.GRANDCHILD,
    "外孙": Resident.Relation.GRANDCHILD,
    "外孙女": Resident.Relation.GRANDCHILD,
    "孙子女": Resident.Relation.GRANDCHILD,
    "孙子女/外孙子女": Resident.Relation.GRANDCHILD,
    "兄弟姐妹": Resident.Relation.SIBLING,
    "兄": Resident.Relation.SIBLING,
    "弟": Resident.Relation.SIBLING,
    "姐": Resident.Relation.SIBLING,
    "妹": Resident.Relation.SIBLING,
    "其他": Resident.Relation.OTHER,
}
GROUP_SEPARATORS = re.compile(r"[、，,;；/\s]+")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, too big)."""


@dataclass
class Table:
    """A sheet as read: the header row's cells, then one sequence of cells per row.
    ``first_line`` is the spreadsheet's own number of the first data row (the header's
    plus one), so row errors name the row Excel shows."""

    headers: list
    rows: list
    first_line: int = 2

    @property
    def height(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


#: Rows above the header that a register may have (a title such as “某某社区居民花名册”,
#: a date line): the header is the first of these rows that names every required column.
HEADER_SEARCH_ROWS = 10


def read_table(content: bytes, file_name: str) -> Table:
    """The upload's rows under its header row. A workbook is read with python-calamine
    (a Rust reader: ten times less CPU than openpyxl for 100,000 rows), a CSV file with
    the standard library's csv module; a damaged or wrong file raises
    :class:`ImportFileError` with a message for the user, never a bare exception."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB: split it into several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    name = file_name.lower()
    if name.endswith(".xlsx"):
        kind, reader = "Excel (.xlsx)", _xlsx_sheets
    elif name.endswith(".csv"):
        kind, reader = "CSV", _csv_sheets
    else:
        raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    try:
        sheets = reader(content)
        table = _find_header(sheets)
    except ImportFileError:
        raise
    except Exception as exc:  # the reader's own errors for a damaged or wrong file
        raise ImportFileError(
            _("This file could not be read as %(kind)s. Save it again from Excel and retry.")
            % {"kind": kind}
        ) from exc
    if table is None:
        raise ImportFileError(_("The file is empty: the first row must hold the column names."))
    if table.height > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows; at most %(max)s can be imported at once.")
            % {"rows": table.height, "max": MAX_ROWS}
        )
    return table


def _xlsx_sheets(content: bytes):
    """Each visible worksheet's cells from A1 (so Excel's row numbers hold). A range
    merged down several rows — a register often merges the building, unit and room of a
    household's rows — gives its value to every row it covers, as Excel shows it."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    try:
        for index, meta in enumerate(book.sheets_metadata):
            if (
                meta.visible != python_calamine.SheetVisibleEnum.Visible
                or meta.typ != python_calamine.SheetTypeEnum.WorkSheet
            ):
                continue
            sheet = book.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False)
            for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
                for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
                    row = rows[r]
                    for c in range(left, min(right, len(row) - 1, len(rows[top]) - 1) + 1):
                        row[c] = rows[top][c]
            yield rows
    finally:
        book.close()


def _csv_sheets(content: bytes):
    yield list(csv.reader(io.StringIO(_decode(content), newline="")))


def _find_header(sheets) -> Table | None:
    """The first sheet whose header (within its first rows) names every required
    column; failing that, the first sheet with anything in it, its first non-empty row
    as the header (the dry run then lists the columns missing)."""
    fallback = None
    for rows in sheets:
        first = None
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if not any(_text(value) for value in row):
                continue
            if first is None:
                first = index
            if not _column_map(row)[1]:
                return Table(list(row), rows[index + 1 :], first_line=index + 2)
        if fallback is None and first is not None:
            fallback = Table(list(rows[first]), rows[first + 1 :], first_line=first + 2)
    return fallback


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK text."))


def _text(value) -> str:
    """A cell as text: numbers as Excel shows them (301, not 301.0), trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _stored_as_number(value) -> bool:
    """A cell holding a number too long for a spreadsheet to keep exactly (an 18-digit
    ID number typed into a General-format cell: Excel keeps 15 significant digits)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15


def _column_map(headers) -> tuple[dict[str, int], list[str]]:
    """{column key: index} from the header row, and the required columns missing."""
    wanted = {alias.lower(): key for key, (_label, aliases) in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = wanted.get(_text(header).replace(" ", "").lower()) or wanted.get(
            _text(header).lower()
        )
        if key and key not in found:
            found[key] = index
    missing = [str(COLUMNS[key][0]) for key in REQUIRED if key not in found]
    return found, missing


@dataclass
class CheckResult:
    """What the dry run found. ``rows`` are the checked rows ready for
    :func:`apply_rows`; ``errors`` the first :data:`MAX_ERRORS_KEPT` row errors."""

    total: int = 0
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    preview: dict = field(default_factory=dict)

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "message": str(message)})


def importable_buildings(user):
    """The buildings ``user`` may import into: those of the grids they may see."""
    return Building.objects.filter(grid__in=visible_grids(user)).select_related("grid")


def may_import(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.has_perm("community.add_household")
        and user.has_perm("community.add_resident")
        and user.has_perm("community.change_resident")
    )


def check(dataset: Table, user, community=None) -> CheckResult:
    """Validate every row of ``dataset`` for ``user``; nothing is saved."""
    result = CheckResult(total=dataset.height)
    columns, missing = _column_map(dataset.headers)
    if missing:
        result.error(
            1,
            "",
            _("Missing column(s): %(columns)s. The first row must name the columns.")
            % {"columns": "、".join(missing)},
        )
        return result
    label = {key: str(COLUMNS[key][0]) for key in COLUMNS}

    buildings_qs = importable_buildings(user)
    if community is not None:
        buildings_qs = buildings_qs.filter(grid__community=community)
    by_name: dict[str, list[Building]] = defaultdict(list)
    for building in buildings_qs:
        by_name[building.name.strip()].append(building)
    groups_by_word = {}
    for group in SpecialGroup.objects.all():
        groups_by_word[group.name] = group.pk
        groups_by_word[group.code] = group.pk
    townships_by_word: dict[str, set[int]] = defaultdict(set)
    for pk, name, code in Township.objects.values_list("pk", "name", "code"):
        townships_by_word[name.strip()].add(pk)
        townships_by_word[code.strip().lower()].add(pk)
    relation_by_word = dict(RELATION_WORDS)
    for choice in Resident.Relation:
        relation_by_word[str(choice.label)] = choice.value
        relation_by_word[choice.value] = choice.value

    seen: dict[str, int] = {}  # digest → first row number
    id_index = columns["id_number"]
    for index, raw in enumerate(dataset):
        line = dataset.first_line + index  # as Excel numbers the rows
        cell = {key: _text(raw[i]) if i < len(raw) else "" for key, i in columns.items()}
        if not any(cell.values()):
            result.total -= 1
            continue
        ok = True
        for key in REQUIRED:
            if not cell[key]:
                result.error(line, label[key], _("This cell is empty."))
                ok = False
        building = None
        if cell["building"]:
            candidates = by_name.get(cell["building"], [])
            if not candidates:
                result.error(
                    line,
                    label["building"],
                    _(
                        "Unknown building “%(name)s”: add it to the register first, "
                        "or check its name."
                    )
                    % {"name": cell["building"]},
                )
                ok = False
            elif len(candidates) > 1:
                result.error(
                    line,
                    label["building"],
                    _(
                        "More than one grid has a building “%(name)s”: "
                        "import each grid's file separately."
                    )
                    % {"name": cell["building"]},
                )
                ok = False
            else:
                building = candidates[0]
        number = normalise_id_number(cell["id_number"]).upper()
        digest = ""
        if number:
            try:
                validate_id_number(number)
            except ValidationError as exc:
                message = exc.messages[0]
                if _stored_as_number(raw[id_index]):
                    message = _(
                        "This ID number was saved as a number, and Excel keeps only 15 "
                        "digits of a number: format the ID number column as text and "
                        "type the numbers again."
                    )
                result.error(line, label["id_number"], message)
                ok = False
            else:
                digest = id_number_digest(number)
                if digest in seen:
                    result.error(
                        line,
                        label["id_number"],
                        _("The same ID number is already on row %(row)s of this file.")
                        % {"row": seen[digest]},
                    )
                    ok = False
                else:
                    seen[digest] = line
        phone = normalise_number(cell.get("phone", "")).replace(" ", "")
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                result.error(line, label["phone"], exc.messages[0])
                ok = False
        relation = Resident.Relation.HEAD
        if cell.get("relation"):
            relation = relation_by_word.get(cell["relation"])
            if relation is None:
                result.error(
                    line,
                    label["relation"],
                    _(
                        "Unknown relation “%(value)s”: write 户主, 配偶, 子女, 父母, "
                        "孙子女, 兄弟姐妹 or 其他."
                    )
                    % {"value": cell["relation"]},
                )
                ok = False
        group_ids = []
        for word in GROUP_SEPARATORS.split(cell.get("groups", "")):
            if not word:
                continue
            if word in groups_by_word:
                group_ids.append(groups_by_word[word])
            else:
                result.error(
                    line,
                    label["groups"],
                    _("Unknown special group “%(value)s”.") % {"value": word},
                )
                ok = False
        hukou_township = None  # blank: leave the register's as it is
        word = cell.get("hukou_township", "")
        if word:
            found = townships_by_word.get(word, set()) | townships_by_word.get(word.lower(), set())
            if len(found) == 1:
                (hukou_township,) = found
            else:
                result.error(
                    line,
                    label["hukou_township"],
                    _(
                        "Unknown township “%(value)s”: write the name or code of a township "
                        "of the county (Settings → Townships), or leave the cell blank."
                    )
                    % {"value": word}
                    if not found
                    else _("More than one township is called “%(value)s”: write its code instead.")
                    % {"value": word},
                )
                ok = False
        if len(cell["name"]) > 50:
            result.error(line, label["name"], _("A name has at most 50 characters."))
            ok = False
        for key in ("unit", "room"):
            if len(cell[key]) > 20:
                result.error(line, label[key], _("At most 20 characters."))
                ok = False
        if ok:
            result.rows.append(
                {
                    "line": line,
                    "building": building.pk,
                    "community": building.grid.community_id,
                    "unit": cell["unit"],
                    "room": cell["room"],
                    "name": cell["name"],
                    "id_number": number,
                    "digest": digest,
                    "phone": phone,
                    "relation": relation,
                    "groups": sorted(set(group_ids)),
                    "hukou_township": hukou_township,
                }
            )
    _check_against_register(result, user, label)
    return result


def _check_against_register(result: CheckResult, user, label) -> None:
    """ID numbers already registered where ``user`` may not change them are errors; the
    preview counts what importing would add, change and leave."""
    visible = set(visible_grids(user).values_list("pk", flat=True))
    is_superuser = user.is_superuser
    existing = _existing(result.rows)
    households = _household_keys(result.rows)
    new_residents = changed = unchanged = 0
    kept = []
    for row in result.rows:
        found = existing.get((row["community"], row["digest"]))
        if found is None:
            new_residents += 1
            kept.append(row)
            continue
        if not is_superuser and found["grid"] not in visible:
            result.error(
                row["line"],
                label["id_number"],
                _(
                    "This ID number is registered in a grid you do not look after: "
                    "ask the committee to move the resident."
                ),
            )
            continue
        kept.append(row)
        if _differs(row, found, households):
            changed += 1
        else:
            unchanged += 1
    result.rows = kept
    new_households = len({_address(row) for row in kept} - set(households))
    result.preview = {
        "households_new": new_households,
        "residents_new": new_residents,
        "residents_changed": changed,
        "residents_unchanged": unchanged,
    }


def _address(row) -> tuple:
    return (row["building"], row["unit"], row["room"])


def _household_keys(rows) -> dict[tuple, dict]:
    """{(building, unit, room): {"id", "head_id"}} of the households the rows name."""
    buildings = {row["building"] for row in rows}
    rooms = {row["room"] for row in rows}
    found = {}
    # By building and room: a slice of a big file names few rooms of many buildings.
    for pk, building, unit, room, head in Household.objects.filter(
        building_id__in=buildings, room__in=rooms
    ).values_list("pk", "building_id", "unit", "room", "head_id"):
        found[(building, unit, room)] = {"id": pk, "head_id": head}
    return found


def _existing(rows) -> dict[tuple, dict]:
    """{(community, digest): the registered resident's comparable fields}."""
    by_community: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        by_community[row["community"]].append(row["digest"])
    found = {}
    for community, digests in by_community.items():
        for start in range(0, len(digests), LOOKUP_CHUNK):
            chunk = digests[start : start + LOOKUP_CHUNK]
            residents = (
                Resident.objects.filter(AnyOf(F("id_number_digest"), chunk), community_id=community)
                .order_by()
                .values_list(
                    "pk",
                    "id_number_digest",
                    "name",
                    "household_id",
                    "household__building__grid_id",
                    "relation",
                    "phone_digest",
                    "hukou_township_id",
                )
            )
            ids = {}
            for pk, digest, name, household, grid, relation, phone, hukou in residents:
                found[(community, digest)] = ids[pk] = {
                    "id": pk,
                    "name": name,
                    "household_id": household,
                    "grid": grid,
                    "relation": relation,
                    "phone_digest": phone,
                    "hukou_township": hukou,
                    "groups": set(),
                }
            through = Resident.groups.through.objects.filter(AnyOf(F("resident_id"), list(ids)))
            for resident_id, group_id in through.order_by().values_list(
                "resident_id", "specialgroup_id"
            ):
                ids[resident_id]["groups"].add(group_id)
    return found


def _differs(row, found, households) -> bool:
    household = households.get(_address(row))
    return (
        household is None
        or household["id"] != found["household_id"]
        or row["name"] != found["name"]
        or row["relation"] != found["relation"]
        or phone_digest(row["phone"]) != found["phone_digest"]
        or not set(row["groups"]) <= found["groups"]
        # A blank 户籍地 (None; rows checked before the column existed lack the key)
        # leaves the register's.
        or row.get("hukou_township") not in (None, found["hukou_township"])
    )


@dataclass
class Applied:
    households_created: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    residents_unchanged: int = 0


@transaction.atomic
def apply_rows(rows: list[dict]) -> Applied:
    """Write checked rows to the register in bulk: one transaction, a constant number of
    queries per slice. Safe to run twice (the second run changes nothing)."""
    applied = Applied()
    if not rows:
        return applied
    now = timezone.now()
    households = _household_keys(rows)
    missing = {_address(row) for row in rows} - set(households)
    if missing:
        Household.objects.bulk_create(
            [Household(building_id=b, unit=u, room=r) for b, u, r in sorted(missing)],
            ignore_conflicts=True,  # another import may have added it meanwhile
        )
        households = _household_keys(rows)
        applied.households_created = len(missing)
    existing = _existing(rows)

    to_create, to_update, groups_for = [], [], []
    heads: dict[int, tuple] = {}
    for row in rows:
        household_id = households[_address(row)]["id"]
        found = existing.get((row["community"], row["digest"]))
        if found is None:
            to_create.append((row, household_id))
        else:
            if _differs(row, found, households):
                resident = Resident(
                    pk=found["id"],
                    household_id=household_id,
                    community_id=row["community"],
                    name=row["name"],
                    phone=row["phone"] or None,
                    phone_digest=phone_digest(row["phone"]),
                    relation=row["relation"],
                    hukou_township_id=row.get("hukou_township"),  # None: leave it
                    updated_at=now,
                )
                to_update.append(resident)
                applied.residents_updated += 1
            else:
                applied.residents_unchanged += 1
            for group_id in set(row["groups"]) - found["groups"]:
                groups_for.append((found["id"], group_id))
        if row["relation"] == Resident.Relation.HEAD:
            heads[household_id] = (row, found["id"] if found else None)

    if to_create:
        created = _create_residents(to_create, now)
        applied.residents_created = len(to_create)
        for row, _household in to_create:
            pk = created[(row["community"], row["digest"])]
            groups_for.extend((pk, group_id) for group_id in row["groups"])
        for household_id, (row, pk) in list(heads.items()):
            if pk is None:
                heads[household_id] = (row, created[(row["community"], row["digest"])])
    if to_update:
        _update_residents(to_update, now)
    if groups_for:
        through = Resident.groups.through
        through.objects.bulk_create(
            [through(resident_id=r, specialgroup_id=g) for r, g in groups_for],
            ignore_conflicts=True,
            batch_size=2000,
        )
    current_heads = {value["id"]: value["head_id"] for value in households.values()}
    head_changes = [
        Household(pk=household_id, head_id=pk, updated_at=now)
        for household_id, (_row, pk) in heads.items()
        if current_heads.get(household_id) != pk
    ]
    if head_changes:
        _set_heads(head_changes, now)
    return applied


#: The resident columns an import fills from the row; every other column gets its
#: field's default (today: the note, empty).
_FROM_ROW = {
    "household_id",
    "community_id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "id_number_digest",
    "phone",
    "phone_digest",
    "relation",
    "hukou_township_id",
    "created_at",
    "updated_at",
}


def _create_residents(new: list[tuple[dict, int]], now) -> dict[tuple, int]:
    """Add the residents of ``new`` ((checked row, household id) pairs) and return
    {(community, digest): their pk}. On PostgreSQL the rows go in through COPY, the ID
    and phone numbers encrypted by the model fields themselves (one Fernet token per
    value, as a save writes), then one query reads the new pks back by digest; Django's
    bulk_create builds and prepares a model instance per row, which was most of an
    import's time. Elsewhere (SQLite in development) it is bulk_create."""
    values = []
    for row, household_id in new:
        number = row["id_number"]
        values.append(
            {
                "household_id": household_id,
                "community_id": row["community"],
                "name": row["name"],
                "gender": gender_of(number),
                "birth_date": birth_date_of(number),
                "id_number": number,
                "id_number_digest": row["digest"],
                "phone": row["phone"] or None,
                "phone_digest": phone_digest(row["phone"]),
                "relation": row["relation"],
                "hukou_township_id": row.get("hukou_township"),
                "created_at": now,
                "updated_at": now,
            }
        )
    if connection.vendor != "postgresql":
        residents = [Resident(**value) for value in values]
        Resident.objects.bulk_create(residents, batch_size=1000)
        return {(r.community_id, r.id_number_digest): r.pk for r in residents}

    fields = [f for f in Resident._meta.concrete_fields if not f.primary_key]
    constant = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in _FROM_ROW
    }
    encrypted = {f.attname: f for f in fields if isinstance(f, EncryptedFieldMixin)}
    table = connection.ops.quote_name(Resident._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for value in values:
                for name, field in encrypted.items():
                    # What the field's get_prep_value writes, without its first trying
                    # to decrypt the plain value (a failed Fernet decryption each).
                    plain = value[name]
                    value[name] = field.f.encrypt(str(plain).encode()).decode() if plain else None
                value.update(constant)
                copy.write_row([value[f.attname] for f in fields])
    created = (
        Resident.objects.filter(
            AnyOf(F("id_number_digest"), [value["id_number_digest"] for value in values]),
            community_id__in={value["community_id"] for value in values},
        )
        .order_by()
        .values_list("community_id", "id_number_digest", "pk")
    )
    return {(community, digest): pk for community, digest, pk in created}


def _update_residents(residents: list[Resident], now) -> None:
    """Write the changed residents' household, community, name, phone (encrypted by the
    field), phone digest, relation and — when the row names one — the township of
    household registration (a NULL there keeps the register's): one UPDATE … FROM
    (VALUES …) per thousand, as :func:`_set_heads` (bulk_update's CASE per row and column
    took seconds a thousand, which a re-import changing every phone number would feel)."""
    table = connection.ops.quote_name(Resident._meta.db_table)
    phone = Resident._meta.get_field("phone")
    hukou = Resident._meta.get_field("hukou_township")
    columns = ["household_id", "community_id", "name", "phone", "phone_digest", "relation"]
    assignments = ", ".join(
        f"{connection.ops.quote_name(Resident._meta.get_field(name).column)} = v.column{i + 2}"
        for i, name in enumerate(columns)
    )
    hukou_column = connection.ops.quote_name(hukou.column)
    assignments += (
        f", {hukou_column} = COALESCE(CAST(v.column{len(columns) + 2} AS "
        f"{hukou.db_type(connection)}), {table}.{hukou_column})"
    )
    columns.append("hukou_township_id")
    for start in range(0, len(residents), 1000):
        chunk = residents[start : start + 1000]
        values = ", ".join([f"({', '.join(['%s'] * (len(columns) + 1))})"] * len(chunk))
        params = []
        for resident in chunk:
            params += [
                resident.pk,
                resident.household_id,
                resident.community_id,
                resident.name,
                phone.get_db_prep_save(resident.phone, connection),
                resident.phone_digest,
                resident.relation,
                resident.hukou_township_id,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments}, updated_at = %s "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [now, *params],
            )


def _set_heads(households: list[Household], now) -> None:
    """One UPDATE … FROM (VALUES …) per thousand households: Django's bulk_update writes
    a CASE per row, seconds for a few thousand (PostgreSQL and SQLite ≥ 3.33 alike)."""
    table = connection.ops.quote_name(Household._meta.db_table)
    for start in range(0, len(households), 1000):
        chunk = households[start : start + 1000]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        params = [p for h in chunk for p in (h.pk, h.head_id)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET head_id = v.column2, updated_at = %s "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [now, *params],
            )
