"""DfE Children in Need census XML, streamed one ``<Child>`` at a time.

Parsed with the expat push parser that ``xml.etree.ElementTree.iterparse`` is built on, used
directly so that every problem can name the line it is on. Only the current ``<Child>`` is
held in memory; documents with a DOCTYPE (and so entity declarations) are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from .base import CaseReader, Progress, Source
from .cells import (
    Context,
    Pseudonymise,
    check_against_birth,
    check_order,
    read_birth_date,
    read_category,
    read_child_id,
    read_date,
    read_ethnicity,
    read_sex,
    read_yes_no,
)
from .model import ChildRecord, Event, RowRecord, UnreadableFile

CHUNK = 1 << 16
XML_DATE_EXPECTED = "YYYY-MM-DD"
SOURCE = "XML"


@dataclass
class Node:
    tag: str
    line: int
    parts: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def value(self) -> str:
        return "".join(self.parts).strip()

    def find(self, tag: str) -> Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]


class _Refused(Exception):
    pass


def local_name(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]


class CinCensusReader(CaseReader):
    """Children from a CIN census return: identifiers, characteristics and the dated events
    of every ``CINdetails`` episode (referral, assessments, CIN plans, section 47 enquiries
    and ICPCs, child protection plans with their categories of abuse, closure)."""

    format = "cin-census"

    def __init__(
        self,
        source: Source,
        *,
        pseudonymise: Pseudonymise | None = None,
        progress: Progress | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(source, pseudonymise=pseudonymise, progress=progress, today=today)
        self.ctx = Context(
            "xml",
            "XML",
            self.summary,
            self.today,
            pseudonymise,
            date_expected=XML_DATE_EXPECTED,
        )
        self._path: list[str] = []
        self._child: list[Node] = []
        self._ready: list[RowRecord] = []
        self._root_checked = False
        self._collection: list[str] | None = None

    # --- expat callbacks --------------------------------------------------------------------
    def _start(self, parser: Any, name: str, _attrs: dict[str, str]) -> None:
        tag = local_name(name)
        if not self._root_checked:
            self._root_checked = True
            if tag != "Message":
                raise _Refused(f"this XML is not a CIN census return (its root is <{tag}>)")
        if self._child:
            node = Node(tag, parser.CurrentLineNumber)
            self._child[-1].children.append(node)
            self._child.append(node)
        elif tag == "Child" and self._path and self._path[-1] == "Children":
            self._child.append(Node(tag, parser.CurrentLineNumber))
        self._path.append(tag)

    def _end(self, _name: str) -> None:
        tag = self._path.pop()
        if self._child:
            node = self._child.pop()
            if not self._child:
                self._count("XML")
                self._tick()
                record = self._record(node)
                if record is not None:
                    self._ready.append(record)
        elif self._collection is not None and tag == "Collection":
            collection = "".join(self._collection).strip()
            self._collection = None
            if collection and collection.upper() != "CIN":
                raise _Refused(f"this XML is a {collection} return, not the CIN census")

    def _text(self, data: str) -> None:
        if self._child:
            self._child[-1].parts.append(data)
        elif self._path[-3:] == ["Header", "CollectionDetails", "Collection"]:
            if self._collection is None:
                self._collection = []
            self._collection.append(data)

    def _doctype(self, *_args: Any) -> None:
        raise _Refused("XML with a DOCTYPE is not accepted")

    # --- reading ----------------------------------------------------------------------------
    def _rows(self) -> Iterator[RowRecord]:
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = lambda name, attrs: self._start(parser, name, attrs)
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        self._collection = None
        self.summary.counts.setdefault("XML", 0)
        self.stream.seek(0)
        seen_any = False
        try:
            while True:
                chunk = self.stream.read(CHUNK)
                if chunk.strip():
                    seen_any = True
                parser.Parse(chunk, not chunk)
                yield from self._ready
                self._ready.clear()
                if not chunk:
                    break
        except expat.ExpatError as exc:
            if not seen_any:
                raise UnreadableFile("the file is empty") from exc
            raise UnreadableFile(f"not well-formed XML: {exc}") from exc
        except _Refused as exc:
            raise UnreadableFile(str(exc)) from exc

    def _record(self, node: Node) -> RowRecord | None:
        ctx = self.ctx
        usable = True
        ids = node.find("ChildIdentifiers")
        holder = ids or node

        id_node = ids.find("LAchildID") if ids else None
        child_id = None
        if id_node is None:
            ctx.report("error", holder.line, "LAchildID", None, "is missing", "a child ID")
        else:
            child_id = read_child_id(ctx, id_node.value, id_node.line, "LAchildID")

        dob = None
        dob_node = ids.find("PersonBirthDate") if ids else None
        if dob_node is None:
            ctx.report(
                "warning",
                holder.line,
                "PersonBirthDate",
                None,
                "is missing, left empty",
                "the child's date of birth",
            )
        else:
            dob, _ = read_birth_date(ctx, dob_node.value, dob_node.line, "PersonBirthDate")

        sex = None
        sex_node = (ids.find("Sex") or ids.find("GenderCurrent")) if ids else None
        if sex_node is None:
            ctx.report("warning", holder.line, "Sex", None, "is missing, left empty", "M or F")
        else:
            sex = read_sex(ctx, sex_node.value, sex_node.line, sex_node.tag)

        ethnicity = None
        characteristics = node.find("ChildCharacteristics")
        eth_node = characteristics.find("Ethnicity") if characteristics else None
        if eth_node is None:
            ctx.report(
                "warning",
                (characteristics or node).line,
                "Ethnicity",
                None,
                "is missing, left empty",
                "an ethnicity code such as WBRI",
            )
        else:
            ethnicity = read_ethnicity(ctx, eth_node.value, eth_node.line, "Ethnicity")

        events: list[Event] = []

        def add(
            block: Node,
            tag: str,
            kind: str,
            *,
            key: bool = False,
            after: tuple[str, dt.date | None] | None = None,
            category: str | None = None,
        ) -> dt.date | None:
            element = block.find(tag)
            if element is None:
                if key:
                    ctx.report("error", block.line, tag, None, "is missing", XML_DATE_EXPECTED)
                return None
            day = read_date(ctx, element.value, element.line, tag, key=key)
            if day is None:
                return None
            check_against_birth(ctx, dob, day, element.line, tag, element.value)
            if after is not None:
                check_order(ctx, after[1], day, element.line, tag, after[0], element.value)
            code = None
            if category:
                category_node = block.find(category)
                if category_node is not None:
                    code = read_category(ctx, category_node.value, category_node.line, category)
            events.append(Event(kind, day, code, None, SOURCE))
            return day

        for details in node.findall("CINdetails"):
            referral = add(details, "CINreferralDate", "referral", key=True)
            if referral is None:
                usable = False
            add(details, "CINclosureDate", "cin_end", after=("CINreferralDate", referral))
            add(details, "DateOfInitialCPC", "icpc")
            for block in details.findall("Assessments"):
                start = add(block, "AssessmentActualStartDate", "assessment_start")
                add(
                    block,
                    "AssessmentAuthorisationDate",
                    "assessment_authorised",
                    after=("AssessmentActualStartDate", start),
                )
            for block in details.findall("CINPlanDates"):
                start = add(block, "CINPlanStartDate", "cin_plan_start")
                add(block, "CINPlanEndDate", "cin_plan_end", after=("CINPlanStartDate", start))
            for block in details.findall("Section47"):
                start = add(block, "S47ActualStartDate", "s47_start")
                icpc = add(block, "DateOfInitialCPC", "icpc", after=("S47ActualStartDate", start))
                flag = block.find("ICPCnotRequired")
                if start is not None and flag is not None:
                    answer = read_yes_no(ctx, flag.value, flag.line, "ICPCnotRequired")
                    if answer == "yes" and icpc is not None:
                        ctx.report(
                            "warning",
                            flag.line,
                            "ICPCnotRequired",
                            flag.value,
                            "is true but DateOfInitialCPC has a date, so the date is kept",
                            "false when DateOfInitialCPC has a date",
                        )
                    elif answer == "yes":
                        events.append(Event("icpc_not_required", start, None, None, SOURCE))
            for block in details.findall("ChildProtectionPlans"):
                start = add(
                    block, "CPPstartDate", "cp_plan_start", category="InitialCategoryOfAbuse"
                )
                add(
                    block,
                    "CPPendDate",
                    "cp_plan_end",
                    after=("CPPstartDate", start),
                    category="LatestCategoryOfAbuse",
                )
                for reviews in block.findall("Reviews"):
                    for review in reviews.findall("CPPreviewDate"):
                        day = read_date(ctx, review.value, review.line, "CPPreviewDate", key=False)
                        if day is None:
                            continue
                        check_against_birth(
                            ctx, dob, day, review.line, "CPPreviewDate", review.value
                        )
                        check_order(
                            ctx,
                            start,
                            day,
                            review.line,
                            "CPPreviewDate",
                            "CPPstartDate",
                            review.value,
                        )
                        events.append(Event("cp_review", day, None, None, SOURCE))

        if not child_id or not usable:
            return None
        if self.pseudonymise is not None:
            child_id = self.pseudonymise(child_id)
        record = ChildRecord(
            child_id=child_id,
            date_of_birth=dob,
            sex=sex,
            ethnicity=ethnicity,
            events=(),
            sources=(SOURCE,),
        )
        merged = record.merged(ChildRecord(child_id, events=tuple(events)))
        columns = {"date_of_birth": "PersonBirthDate", "ethnicity": "Ethnicity"}
        if sex_node is not None:
            columns["sex"] = sex_node.tag
        return RowRecord(merged, "xml", "XML", node.line, columns)
