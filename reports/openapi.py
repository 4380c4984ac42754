"""The OpenAPI 3.1 document of the statistics API (``reports.views.api``), written by hand.

The columns of the units table are read from ``selectors.units.COLUMNS``, as the API itself
reads them, so a column added to the dashboard is documented the moment it is served. Every
object says ``additionalProperties: false``: ``tests/reports/test_api.py`` validates real answers
against these schemas, so a field served but not documented fails the tests.
"""

from django.utils.translation import gettext as _

from organization.models import Channel, OrgUnitKind

from .selectors.units import COLUMNS


def _object(properties: dict, *, description: str = "") -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _columns() -> dict:
    return {
        column.key: (
            {
                "type": ["number", "null"],
                "description": _("%(label)s（百分比，无分母时为 null）") % {"label": column.label},
            }
            if column.ratio_of
            else {"type": "integer", "description": str(column.label)}
        )
        for column in COLUMNS
    }


def _schemas() -> dict:
    integer, string = {"type": "integer"}, {"type": "string"}
    return {
        "Unit": _object(
            {
                "id": integer,
                "code": {**string, "description": _("机构代码")},
                "name": string,
                "kind": {"type": "string", "enum": list(OrgUnitKind.values)},
                "path": {**string, "description": _("树路径：下级机构的路径以上级的路径开头")},
                "depth": integer,
                "has_children": {"type": "boolean", "description": _("有下级机构时可继续下钻")},
            },
            description=_("机构"),
        ),
        "Counts": _object(_columns(), description=_("与看板机构表相同的各列")),
        "UnitRow": _object({"unit": _ref("Unit"), **_columns()}),
        "Column": _object(
            {
                "key": string,
                "label": {**string, "description": _("看板上的列名")},
                "ratio": {"type": "boolean", "description": _("是否为百分比列")},
            }
        ),
        "UnitsResponse": _object(
            {
                "unit": _ref("Unit"),
                "columns": {"type": "array", "items": _ref("Column")},
                "total": _ref("Counts"),
                "results": {"type": "array", "items": _ref("UnitRow")},
            }
        ),
        "CourseRow": _object(
            {
                "course_id": integer,
                "title": string,
                "enrolled": {**integer, "description": _("选课")},
                "in_progress": {**integer, "description": _("学习中")},
                "completed": {**integer, "description": _("已完成")},
                "overdue": {**integer, "description": _("逾期未完成")},
                "completion": {"type": ["number", "null"], "description": _("完成率（百分比）")},
            }
        ),
        "CoursesResponse": _object(
            {"unit": _ref("Unit"), "results": {"type": "array", "items": _ref("CourseRow")}}
        ),
        "PersonRow": _object(
            {
                "id": integer,
                "employee_no": {**string, "description": _("工号")},
                "name": string,
                "channel": {"type": "string", "enum": list(Channel.values)},
                "unit": _object({"id": integer, "code": string, "name": string}),
                "enrolled": {**integer, "description": _("选课门数")},
                "completed": {**integer, "description": _("已完成门数")},
                "overdue": {**integer, "description": _("逾期未完成门数")},
            }
        ),
        "PeopleResponse": _object(
            {
                "unit": _ref("Unit"),
                "page_size": integer,
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": _("下一页的完整地址；最后一页为 null"),
                },
                "results": {"type": "array", "items": _ref("PersonRow")},
            }
        ),
        "Error": {
            "type": "object",
            "properties": {
                "error": {**string, "description": _("中文说明")},
                "fields": {
                    "type": "object",
                    "description": _("筛选条件错误：每个参数的错误说明"),
                    "additionalProperties": {"type": "array", "items": string},
                },
            },
            "required": ["error"],
            "additionalProperties": False,
        },
    }


def _parameters() -> dict:
    identifier = {"type": "integer", "minimum": 1}
    return {
        "unit": _query("unit", identifier, _("机构编号；缺省为客户端的数据范围根机构")),
        "company": _query("company", identifier, _("只统计该子公司")),
        "course": _query("course", identifier, _("只统计该课程")),
        "certification": _query("certification", identifier, _("只统计该资格认证")),
        "channel": _query("channel", {"type": "string", "enum": list(Channel.values)}, _("渠道")),
        "assignment": _query("assignment", identifier, _("只统计该必修指派")),
        "date_from": _query(
            "date_from", {"type": "string", "format": "date"}, _("期间起始日期（含）")
        ),
        "date_to": _query("date_to", {"type": "string", "format": "date"}, _("期间截止日期（含）")),
        "after": _query(
            "after", {"type": "integer", "minimum": 0}, _("上一页最后一人的 id；缺省为第一页")
        ),
        "page_size": _query(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
            _("每页人数，最多 500（超过按 500）"),
        ),
    }


FILTERS = [
    "unit",
    "company",
    "course",
    "certification",
    "channel",
    "assignment",
    "date_from",
    "date_to",
]
# The course and people reads count enrolments: no certification, no period.
ENROLMENT_FILTERS = ["unit", "company", "course", "channel", "assignment"]


def _operation(operation_id: str, summary: str, response: str, parameters: list[str]) -> dict:
    def error(description):
        return {
            "description": description,
            "content": {"application/json": {"schema": _ref("Error")}},
        }

    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in parameters],
            "responses": {
                "200": {
                    "description": _("成功"),
                    "content": {"application/json": {"schema": _ref(response)}},
                },
                "400": error(_("参数或筛选条件有误")),
                "401": error(_("缺少访问令牌或令牌无效")),
                "403": error(_("客户端已停用")),
                "404": error(_("机构不存在或不在客户端的数据范围内")),
            },
        }
    }


def openapi_document(*, server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("培训统计接口"),
            "version": "1",
            "description": _(
                "只读接口，供集团统计系统读取培训完成、资格认证和参训的汇总数据。"
                "每个客户端的令牌只能读取其数据范围（一个机构及其下属机构）内的数据；"
                "范围外的机构按不存在处理（404）。令牌由超级管理员或覆盖该范围的培训管理员"
                "在管理后台“报表 › 统计接口客户端”中创建，只显示一次。"
            ),
        },
        "servers": [{"url": server}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/units/": _operation(
                "units",
                _("下级机构汇总表（与看板相同的各列）及本机构合计"),
                "UnitsResponse",
                FILTERS,
            ),
            "/courses/": _operation(
                "courses", _("按课程汇总"), "CoursesResponse", ENROLMENT_FILTERS
            ),
            "/people/": _operation(
                "people",
                _("在职人员及各自的选课、完成、逾期门数，按 id 分页"),
                "PeopleResponse",
                [*ENROLMENT_FILTERS, "after", "page_size"],
            ),
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _("Authorization: Bearer <令牌>"),
                }
            },
            "parameters": _parameters(),
            "schemas": _schemas(),
        },
    }
