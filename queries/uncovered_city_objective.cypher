// BSC206 uncovered-city-objective (info): a city objective none of its theme group's stored
// agencies supports.
//
// For each agency plan whose city plan of that year is stored: the city objectives it
// reaches (an upward link of one of its objectives or of their theme, or a KPI of theirs
// referencing a city KPI: the objective that city KPI measures or, when the city scorecard
// is not stored, the one the reference's code names) and the city themes it answers for:
// the themes whose working group (MEMBER_OF) it belongs to or, when the city map names no
// group for it, the themes its reached objectives belong to. A city objective of such a
// theme that no agency of that year reaches is reported, naming the first agency plan (by
// id) that chose the theme. City-wide objectives (TC1...) belong to no theme.
//
// Result: one row per finding, as `bscalign audit` reports it: plan (the city plan),
// subject (the city objective's code), message (English), message_zh (Traditional
// Chinese), suggestion (none), source (file:line) and node (the city objective).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a city plan id such as '臺北市政府@111'; null: every plan
MATCH (city:Plan)
WHERE $plan IS NULL OR city.id = $plan
// one city plan at a time: what is grouped below is its agencies', never every plan's
CALL (city) {
  MATCH (agency:Plan {city_plan: city.id})
  WHERE agency.level = 'agency'
  CALL (agency, city) {
    CALL (agency, city) {
      MATCH (:Objective {plan: agency.id})-[:ALIGNS_TO]->(target:Objective)
      RETURN target
      UNION
      MATCH (:Objective {plan: agency.id})-[:IN_THEME]->(:Theme)-[:ALIGNS_TO]->(target:Objective)
      RETURN target
      UNION
      MATCH (:Objective {plan: agency.id})<-[:MEASURES]-(kpi:KPI)
      UNWIND kpi.city_kpi_refs AS reference
      // by id (<plan>:KPI:<code>): the unique index answers at once, plan and code scan
      OPTIONAL MATCH (city_kpi:KPI {id: city.id + ':KPI:' + reference})
      MATCH (target:Objective {plan: city.id})
      WHERE (city_kpi IS NOT NULL AND EXISTS { (city_kpi)-[:MEASURES]->(target) })
         OR (city_kpi IS NULL AND reference = target.code + '.' + last(split(reference, '.')))
      RETURN target
    }
    RETURN collect(DISTINCT target.code) AS reached
  }
  // city maps name their groups' members in short (兵役局 for 臺北市政府兵役局); matched from
  // the city plan's themes (indexed), where a pattern comprehension scans every organization
  CALL (agency, city) {
    MATCH (group:Theme {plan: city.id})<-[:MEMBER_OF]-(member:Organization)
    WHERE member.name <> '' AND agency.organization ENDS WITH member.name
    RETURN collect(group.code) AS group_themes
  }
  WITH agency, city, reached,
       CASE WHEN size(group_themes) > 0 THEN group_themes
            ELSE [code IN reached | substring(code, 0, 1)]
       END AS themes,
       // generated: how
       CASE WHEN size(group_themes) > 0 THEN ['its working group', '所屬分組']
            ELSE ['its upward links (the city map names no groups)', '承接所及之主題，府級地圖未列分組']
       END AS how
       // end generated
  ORDER BY agency.id
  WITH city,
       reduce(all_reached = [], codes IN collect(reached) | all_reached + codes) AS covered,
       collect({organization: agency.organization, how: how, themes: themes}) AS agencies
  MATCH (objective:Objective {plan: city.id})
  WHERE NOT objective.code IN covered
  // the theme is chosen for the first agency plan (by id) that answers for it
  WITH objective, [a IN agencies WHERE objective.theme IN a.themes][0] AS chooser
  WHERE chooser IS NOT NULL
  RETURN objective, chooser
}
RETURN city.id AS plan,
       objective.code AS subject,
       // generated: message
       'no loaded agency objective supports ' + objective.code + ' ' + objective.name + ' (theme '
         + objective.theme + ', chosen for ' + chooser.organization + ' (' + chooser.how[0] + ')'
         + ')' AS message,
       '已載入的機關策略目標皆未承接 ' + objective.code + ' ' + objective.name + '（主題 ' + objective.theme + '：'
         + chooser.organization + chooser.how[1] + '）' AS message_zh,
       // end generated
       null AS suggestion,
       objective.source AS source,
       objective AS node
