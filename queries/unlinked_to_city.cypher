// BSC203 unlinked-to-city (error): an agency objective or KPI from which no path leads to
// the city map.
//
// An agency objective reaches the city plan of its year by an upward link of its own or
// one written on its theme (ALIGNS_TO: only links whose code exists there), or through a
// KPI of its that references a city KPI (府級KPI): the objective that city KPI measures or,
// when the city scorecard is not stored, the city objective the reference's code names
// (GP6.2 -> GP6). An agency KPI reaches it by such a reference, or by measuring an
// objective that reaches it. When the city plan of that year is not stored, the plan is
// reported once and nothing else is checked (first part below).
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the code of
// the objective or KPI, or the plan id), message (English), message_zh (Traditional
// Chinese), suggestion (none), source (file:line) and node (the objective, KPI or plan).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // an agency plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (agency:Plan {level: 'agency'})
WHERE ($plan IS NULL OR agency.id = $plan)
  AND NOT EXISTS { (:Plan {id: agency.city_plan}) }
// the city plan it names, if it names a city at all
WITH agency, agency.city + '@' + agency.year AS city
RETURN agency.id AS plan,
       agency.id AS subject,
       // generated: not-checked
       CASE WHEN agency.city IS NULL OR agency.city = '' THEN 'the plan names no city, so no city plan can answer for it: upward links of this plan were not checked (give the plan its city)'
            ELSE 'no city plan ' + city
         + ' loaded: upward links of this plan were not checked (load the city strategy map of that year with it)'
       END AS message,
       CASE WHEN agency.city IS NULL OR agency.city = '' THEN '此計畫未載明所屬城市，無從比對府級計畫：此計畫的承接關係未檢查（請填寫所屬城市）'
            ELSE '未載入府級計畫 ' + city + '：此計畫的承接關係未檢查（請一併載入該年度府級策略地圖）'
       END AS message_zh,
       // end generated
       null AS suggestion,
       agency.source AS source,
       agency AS node
UNION ALL
MATCH (agency:Plan {level: 'agency'})
WHERE $plan IS NULL OR agency.id = $plan
MATCH (city:Plan {id: agency.city_plan})
// the plan's KPIs whose city-KPI references reach a city objective
CALL (agency, city) {
  MATCH (kpi:KPI {plan: agency.id})
  UNWIND kpi.city_kpi_refs AS reference
  // by id (<plan>:KPI:<code>): the unique index answers at once, plan and code scan
  OPTIONAL MATCH (city_kpi:KPI {id: city.id + ':KPI:' + reference})
  MATCH (target:Objective {plan: city.id})
  WHERE (city_kpi IS NOT NULL AND EXISTS { (city_kpi)-[:MEASURES]->(target) })
     OR (city_kpi IS NULL AND reference = target.code + '.' + last(split(reference, '.')))
  RETURN collect(DISTINCT kpi) AS referencing
}
// one agency plan at a time: the grouping holds its objectives, never every plan's
CALL (agency, referencing) {
  OPTIONAL MATCH (o:Objective {plan: agency.id})
  WITH o,
       EXISTS { (o)-[:ALIGNS_TO]->(:Objective) }
       OR EXISTS { (o)-[:IN_THEME]->(:Theme)-[:ALIGNS_TO]->(:Objective) }
       OR EXISTS { MATCH (o)<-[:MEASURES]-(kpi:KPI) WHERE kpi IN referencing } AS reaches
  RETURN collect(CASE WHEN reaches THEN o END) AS reaching,
         collect(CASE WHEN NOT reaches THEN o END) AS stranded
}
CALL (agency, city, referencing, reaching, stranded) {
  UNWIND stranded AS o
  CALL (o) {
    MATCH (o)-[:HAS_UPWARD_LINK]->(link:UpwardLink)
    WITH link
    ORDER BY link.position
    RETURN substring(reduce(codes = '', link IN collect(link) | codes + ', ' + link.code), 2)
             AS written
  }
  RETURN o AS node,
         // generated: objective
         'objective ' + o.code + ' ' + o.name + ' reaches no objective of ' + city.id + ': '
           + CASE WHEN written = '' THEN 'it has no link' ELSE 'its upward link ' + written + ' is not in ' + city.id END AS message,
         '策略目標 ' + o.code + ' ' + o.name + ' 無法連結至 ' + city.id + ' 任何策略目標：'
           + CASE WHEN written = '' THEN '未填承接' ELSE '所填承接代碼 ' + written + ' 不在 ' + city.id END AS message_zh
         // end generated
  UNION ALL
  MATCH (kpi:KPI {plan: agency.id})
  WHERE NOT kpi IN referencing
    AND NOT EXISTS { MATCH (kpi)-[:MEASURES]->(o:Objective) WHERE o IN reaching }
  RETURN kpi AS node,
         // generated: kpi
         'KPI ' + kpi.code + ' ' + kpi.name + ' reaches no objective of ' + city.id AS message,
         'KPI ' + kpi.code + ' ' + kpi.name + ' 無法連結至 ' + city.id + ' 任何策略目標' AS message_zh
         // end generated
}
RETURN agency.id AS plan,
       node.code AS subject,
       message,
       message_zh,
       null AS suggestion,
       node.source AS source,
       node
