// BSC202 missing-upward-link (warning): an agency objective with no upward link of its own.
//
// Finds every objective of an agency plan that writes no upward link (no UpwardLink node).
// When the objective still reaches the city plan of its year another way, the message
// says how and the suggestion is the city objective reached: first through links written
// on its theme, else through a KPI of its that references a city KPI (府級KPI) -- the
// objective that city KPI measures or, when the city scorecard is not stored, the city
// objective the reference's code names (GP6.2 -> GP6). A plan none of whose objectives or
// themes writes an upward link (no link column at all) is also reported once, by its id
// (first part below): the root the per-objective findings follow from.
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the
// objective's code, or the plan id), message (English), message_zh (Traditional Chinese),
// suggestion, source (file:line) and node (the objective or the plan).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // an agency plan id such as '臺北市政府兵役局@111'; null: every plan
MATCH (agency:Plan {level: 'agency'})
WHERE ($plan IS NULL OR agency.id = $plan)
  AND EXISTS { (:Objective {plan: agency.id}) }
  AND NOT EXISTS { (:Objective {plan: agency.id})-[:HAS_UPWARD_LINK]->(:UpwardLink) }
  AND NOT EXISTS { (:Theme {plan: agency.id})-[:HAS_UPWARD_LINK]->(:UpwardLink) }
RETURN agency.id AS plan,
       agency.id AS subject,
       // generated: never-linked
       'no objective or theme of ' + agency.id
         + ' names the city objective it supports: the plan has no upward links at all (add the city objective each objective supports)' AS message,
       agency.id + ' 沒有任何策略目標或策略主題填寫承接之府級策略目標：整份計畫未填承接（請為每一策略目標填寫所承接之府級策略目標）' AS message_zh,
       // end generated
       null AS suggestion,
       agency.source AS source,
       agency AS node
UNION ALL
MATCH (agency:Plan {level: 'agency'})
WHERE $plan IS NULL OR agency.id = $plan
OPTIONAL MATCH (city:Plan {id: agency.city_plan})
MATCH (o:Objective {plan: agency.id})
WHERE NOT EXISTS { (o)-[:HAS_UPWARD_LINK]->(:UpwardLink) }
CALL (o) {
  MATCH (o)-[:IN_THEME]->(theme:Theme)-[:ALIGNS_TO]->(target:Objective)
  WITH theme, target
  ORDER BY theme.id, target.id
  RETURN collect(target.code) AS via_theme
}
CALL (o, city) {
  MATCH (o)<-[:MEASURES]-(kpi:KPI)
  UNWIND range(0, size(kpi.city_kpi_refs) - 1) AS i
  WITH city, kpi, i, kpi.city_kpi_refs[i] AS reference
  // by id (<plan>:KPI:<code>): the unique index answers at once, plan and code scan
  OPTIONAL MATCH (city_kpi:KPI {id: city.id + ':KPI:' + reference})
  MATCH (target:Objective {plan: city.id})
  WHERE (city_kpi IS NOT NULL AND EXISTS { (city_kpi)-[:MEASURES]->(target) })
     OR (city_kpi IS NULL AND reference = target.code + '.' + last(split(reference, '.')))
  WITH kpi, i, reference, target
  ORDER BY kpi.id, i, target.id
  RETURN collect({kpi: kpi.code, reference: reference, target: target.code}) AS via_kpis
}
WITH agency, o,
     CASE WHEN city IS NULL THEN 'none'
          WHEN size(via_theme) > 0 THEN 'theme'
          WHEN size(via_kpis) > 0 THEN 'kpi'
          ELSE 'none'
     END AS route,
     city.id AS city,
     substring(reduce(codes = '', code IN via_theme | codes + ', ' + code), 2) AS themes,
     via_theme[0] AS theme_target,
     via_kpis[0] AS first
RETURN agency.id AS plan,
       o.code AS subject,
       // generated: message
       'objective ' + o.code + ' ' + o.name + ' has no upward link'
         + CASE route WHEN 'theme' THEN '; it reaches ' + city + ' only through its theme (' + themes + ')' WHEN 'kpi' THEN '; it reaches ' + city + ' only through KPI ' + first.kpi + '\'s city-KPI reference ' + first.reference + ' (city objective ' + first.target + ')' ELSE '' END AS message,
       '策略目標 ' + o.code + ' ' + o.name + ' 未填承接之府級策略目標'
         + CASE route WHEN 'theme' THEN '；僅經由其策略主題連結至 ' + city + '（' + themes + '）' WHEN 'kpi' THEN '；僅經由 KPI ' + first.kpi + ' 的府級KPI ' + first.reference + ' 連結至 ' + city + '（府級策略目標 ' + first.target + '）' ELSE '' END AS message_zh,
       // end generated
       CASE route WHEN 'theme' THEN theme_target WHEN 'kpi' THEN first.target END AS suggestion,
       o.source AS source,
       o AS node
