"""Every word a view shows, per language: the page speaks the language asked for.

Names, codes and file paths come from the documents and stay as written; everything else a
view draws or writes (legend, panel, buttons, placeholders, tooltips, bands, kinds, plan
levels, rule titles) comes from :data:`WORDS`, which has the same keys in every language.
"""

from __future__ import annotations

from typing import Final

from bscalign.output import display_width

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "kind:Plan": "plan",
        "kind:Theme": "theme",
        "kind:Objective": "objective",
        "kind:KPI": "KPI",
        "kind:ActionPlan": "action plan",
        "kind:Organization": "organization",
        "kind:Missing": "code the city map lacks",
        "kind:More": "more city objectives",
        "level:city": "city",
        "level:agency": "agency",
        "band:C": "C customer",
        "band:P": "P internal process",
        "band:L": "L learning and growth",
        "band:F": "F financial",
        "band:?": "? perspective unknown",
        "column:none": "no theme",
        "column:unattached": "unattached",
        "severity:error": "error",
        "severity:warning": "warning",
        "severity:info": "information",
        "badge:kpis": "KPI {n}",
        "badge:plans": "AP {n}",
        "not_linked": "not linked",
        "follows": "follows from {rule} {subject}",
        "missing_label": "{code} (not in map)",
        "likely": "→ likely {code}",
        "more_label": "{theme} +{n} more",
        "more_tip": "{n} more objectives of theme {theme} that this plan does not link to:",
        "plan_tip": "{plan} ({level})",
        "declared": "declared",
        "kind_of": "{kind} of {plan}",
        "perspective": "perspective {perspective}",
        "also_written": "also written",
        "flags": "flags",
        "link_written": "upward link as written",
        "city_kpi": "city KPI referenced",
        "source": "source",
        "findings": "findings",
        "consequences": "follow from it",
        "suggestion": "suggestion",
        "written": "written",
        "edge:ALIGNS_TO": "upward link (承接)",
        "edge:dangling": "upward link to a code the city map lacks",
        "edge:suggests": "the city objective a dangling link most likely means",
        "edge:CAUSES": "cause-effect (written or drawn)",
        "edge:inferred": "cause-effect (inferred from the perspective order)",
        "edge:MEASURES": "KPI measures objective",
        "edge:SUPPORTS": "action plan supports KPI",
        "edge:REFERENCES": "KPI references a city KPI",
        "inferred_tip": "inferred from the perspective order (the document draws no arrows)",
        "kpis_of": "KPIs and action plans",
        "no_kpis": "no KPI",
        "nodes_edges": "{nodes} boxes, {edges} links",
        "finding_count": "{roots} to fix ({all} findings)",
        "search": "find a code or a name (Enter: next)",
        "found": "{n} found",
        "fit": "Show all",
        "overview": "All plans",
        "show_inferred": "inferred cause-effect",
        "severity_filter": "severity",
        "rule_filter": "rule",
        "all_rules": "all rules",
        "selected": "Selected",
        "select_hint": "Click an objective, a link or a finding: its names, sources, KPIs, "
        "action plans and findings show here.",
        "legend": "Legend",
        "legend_boxes": "Boxes",
        "legend_findings": "Colour: the worst finding to fix (grey: follows from another)",
        "legend_links": "Links",
        "legend_layout": "Bands: perspectives, customer on top; columns: themes. The city "
        "objectives this plan links to stand above the objectives linking to them; the rest "
        "of the city map is folded per theme. Badges: KPIs, action plans (AP), findings.",
        "to_fix": "To fix",
        "no_findings_shown": "not shown (--no-findings)",
        "overview_hint": "One card per plan: click one to open its map.",
        "card_counts": "{objectives} objectives, {kpis} KPIs, {action_plans} action plans",
        "card_findings": "{error} errors, {warning} warnings, {info} information to fix",
        "map_label": "strategy map",
        "wheel_hint": "Click the map to zoom with the wheel (or hold Ctrl).",
    },
    "zh-TW": {
        "kind:Plan": "計畫",
        "kind:Theme": "策略主題",
        "kind:Objective": "策略目標",
        "kind:KPI": "KPI",
        "kind:ActionPlan": "行動方案",
        "kind:Organization": "機關",
        "kind:Missing": "府級地圖沒有的代碼",
        "kind:More": "其他府級策略目標",
        "level:city": "府級",
        "level:agency": "機關",
        "band:C": "C 顧客",
        "band:P": "P 內部流程",
        "band:L": "L 學習成長",
        "band:F": "F 財務",
        "band:?": "? 構面不明",
        "column:none": "無主題",
        "column:unattached": "未歸屬",
        "severity:error": "錯誤",
        "severity:warning": "警告",
        "severity:info": "資訊",
        "badge:kpis": "KPI {n}",
        "badge:plans": "方案 {n}",
        "not_linked": "未承接",
        "follows": "源自 {rule} {subject}",
        "missing_label": "{code}（府級無此代碼）",
        "likely": "→ 應為 {code}",
        "more_label": "{theme} 另 {n} 項",
        "more_tip": "主題 {theme} 另有 {n} 項本計畫未承接之府級策略目標：",
        "plan_tip": "{plan}（{level}）",
        "declared": "文件宣告",
        "kind_of": "{plan} 的{kind}",
        "perspective": "構面 {perspective}",
        "also_written": "另寫作",
        "flags": "標記",
        "link_written": "所填承接",
        "city_kpi": "引用府級 KPI",
        "source": "出處",
        "findings": "稽核發現",
        "consequences": "由此衍生",
        "suggestion": "建議",
        "written": "所填",
        "edge:ALIGNS_TO": "承接（向上連結）",
        "edge:dangling": "承接代碼不在府級地圖",
        "edge:suggests": "承接代碼最可能指的府級策略目標",
        "edge:CAUSES": "因果關係（文件所寫或所繪）",
        "edge:inferred": "因果關係（依構面順序推論）",
        "edge:MEASURES": "KPI 衡量策略目標",
        "edge:SUPPORTS": "行動方案支援 KPI",
        "edge:REFERENCES": "KPI 引用府級 KPI",
        "inferred_tip": "依構面順序推論（文件未繪箭頭）",
        "kpis_of": "KPI 與行動方案",
        "no_kpis": "無 KPI",
        "nodes_edges": "{nodes} 個方框、{edges} 條連線",
        "finding_count": "待修正 {roots} 項（稽核發現共 {all} 項）",
        "search": "搜尋代碼或名稱（按輸入鍵找下一個）",
        "found": "找到 {n} 個",
        "fit": "顯示全部",
        "overview": "所有計畫",
        "show_inferred": "推論的因果關係",
        "severity_filter": "嚴重度",
        "rule_filter": "規則",
        "all_rules": "所有規則",
        "selected": "選取項目",
        "select_hint": "點選策略目標、連線或稽核發現，即在此顯示其名稱、出處、KPI、"
        "行動方案與稽核發現。",
        "legend": "圖例",
        "legend_boxes": "方框",
        "legend_findings": "顏色：最嚴重的待修正稽核發現（灰色：源自其他稽核發現）",
        "legend_links": "連線",
        "legend_layout": "橫帶為構面，顧客在上；直欄為策略主題。本計畫承接的府級策略目標位於承接它"
        "的策略目標上方，府級地圖其餘部分依主題收合。標記：KPI、行動方案、稽核發現。",
        "to_fix": "待修正",
        "no_findings_shown": "未顯示（已指定不執行稽核）",
        "overview_hint": "每個計畫一張卡片：點選即開啟其策略地圖。",
        "card_counts": "策略目標 {objectives} 項、KPI {kpis} 項、行動方案 {action_plans} 項",
        "card_findings": "待修正：錯誤 {error} 項、警告 {warning} 項、資訊 {info} 項",
        "map_label": "策略地圖",
        "wheel_hint": "點選地圖後即可用滾輪縮放（或按住控制鍵）。",
    },
}

#: Rule titles in Traditional Chinese (English pages show the rule's kebab-case name).
RULE_TITLES_ZH: Final[dict[str, str]] = {
    "orphan-kpi": "KPI 未對應策略目標",
    "kpi-without-action-plan": "KPI 無行動方案",
    "objective-without-kpi": "策略目標無 KPI",
    "dangling-upward-link": "承接代碼不存在",
    "missing-upward-link": "未填承接",
    "unlinked-to-city": "無法連結至府級地圖",
    "upward-name-mismatch": "承接名稱與府級不符",
    "perspective-mismatch": "承接構面不符",
    "uncovered-city-objective": "府級策略目標無人承接",
    "broken-cause-effect-chain": "因果鏈中斷",
    "malformed-code": "代碼格式不符",
    "duplicate-code": "代碼重複",
    "name-drift": "名稱前後不一",
    "declared-total-mismatch": "宣告總數不符",
}


def words(lang: str) -> dict[str, str]:
    """The view's words in ``lang`` (``en`` or ``zh-TW``).

    >>> words("zh-TW")["band:C"]
    'C 顧客'
    """
    if lang not in WORDS:
        raise ValueError(f"no view language {lang!r}; choose one of {', '.join(WORDS)}")
    return WORDS[lang]


def rule_title(name: str, lang: str) -> str:
    """How a page in ``lang`` names a rule (its kebab-case name in English).

    >>> rule_title("dangling-upward-link", "zh-TW")
    '承接代碼不存在'
    """
    return RULE_TITLES_ZH.get(name, name) if lang == "zh-TW" else name


def kind_word(kind: str, lang: str) -> str:
    """A node kind as the page names it (``Objective`` → ``策略目標``)."""
    return words(lang).get(f"kind:{kind}", kind)


def wrap(text: str, width: int = 20, lines: int = 3) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of ``width`` terminal columns (CJK count
    two); a cut line ends with ``…``.

    >>> wrap("提高救護服務滿意度與品質管理", width=12)
    ['提高救護服務', '滿意度與品質', '管理']
    """
    out, line, used = [], "", 0
    for ch in text:
        size = display_width(ch)
        if used + size > width:
            out.append(line)
            line, used = "", 0
        line, used = line + ch, used + size
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:-1] + "…"
    return [part.strip() for part in out if part.strip()]
