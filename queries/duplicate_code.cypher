// BSC402 duplicate-code (error): one code used for two different things in one place.
//
// Each Occurrence node is one place a code is written (`place`: the strategy map, the
// scorecard tables, the KPI overview, a YAML file...), with the name written there and the
// parent it was listed under. A code is reported when one place writes it for two or more
// different things: a different name (compared as `name_key`) or a different parent.
// (The same thing worded differently in different places is name-drift.)
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the code),
// message (English; each thing with where it is first written), message_zh (Traditional
// Chinese), suggestion (none), source (where the second thing is written) and node (the
// item).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (p:Plan)
WHERE $plan IS NULL OR p.id = $plan
// one plan at a time: the grouping holds one plan's occurrences, never the whole graph's
CALL (p) {
  MATCH (written:Occurrence {plan: p.id})<-[:HAS_OCCURRENCE]-(item)
  WITH item, written
  ORDER BY written.position
  // one thing: one name and one parent in one place, first written at `first`
  WITH item, written.place AS place, written.name_key AS name, coalesce(written.parent, '') AS parent,
       min(written.position) AS first, head(collect(written.source)) AS source
  WITH item, place, name, parent, first, source
  ORDER BY first
  WITH item, place, collect({name: name, parent: parent, source: source}) AS things
  WHERE size(things) > 1
  RETURN item, place, things
}
WITH item, place, things,
     // generated: kind
     head([label IN labels(item) WHERE label IN ['Theme', 'Objective', 'KPI', 'ActionPlan']]) AS kind,
     // end generated
     substring(reduce(text = '', thing IN things |
                      text + "; '" + thing.name + "'"
                      + CASE WHEN thing.parent <> '' THEN ' (' + thing.parent + ')' ELSE '' END
                      + ' ' + thing.source), 2) AS listed
RETURN item.plan AS plan,
       item.code AS subject,
       // generated: message
       {Theme: 'theme', Objective: 'objective', KPI: 'KPI', ActionPlan: 'action plan'}[kind]
         + ' code ' + item.code + ' stands for ' + toString(size(things)) + ' things in the '
         + place + ': ' + listed AS message,
       {Theme: '策略主題', Objective: '策略目標', KPI: 'KPI', ActionPlan: '行動方案'}[kind] + '代碼 ' + item.code
         + ' 在' + place + '中代表 ' + toString(size(things)) + ' 個不同項目：' + listed AS message_zh,
       // end generated
       null AS suggestion,
       things[1].source AS source,
       item AS node
