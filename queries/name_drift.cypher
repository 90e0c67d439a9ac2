// BSC403 name-drift (warning): one code written with different names in one plan.
//
// Compares the names an item is written with (`names`, every variant in the order seen)
// as `name_keys` (spaces between Chinese characters and stray separators removed) and
// reports an item with more than one, unless one place (Occurrence.place) itself writes
// two names: that is duplicate-code. Each variant is listed with the last place
// (Occurrence) that writes it, when one does.
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the code),
// message (English), message_zh (Traditional Chinese), suggestion (none), source
// (file:line) and node (the item).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (item:Theme|Objective|KPI|ActionPlan)
WHERE $plan IS NULL OR item.plan = $plan
WITH item,
     [i IN range(0, size(item.name_keys) - 1)
      WHERE NOT item.name_keys[i] IN item.name_keys[0..i] | item.name_keys[i]] AS variants
WHERE size(variants) > 1
  // one place writing the code with two names is two things: duplicate-code, not drift
  AND NOT EXISTS {
    MATCH (item)-[:HAS_OCCURRENCE]->(one:Occurrence), (item)-[:HAS_OCCURRENCE]->(other:Occurrence)
    WHERE one.place = other.place AND one.name <> '' AND other.name <> ''
      AND one.name_key <> other.name_key
  }
CALL (item) {
  MATCH (item)-[:HAS_OCCURRENCE]->(written:Occurrence)
  WHERE written.name <> ''
  WITH written
  ORDER BY written.position DESC
  RETURN collect(written) AS latest_first
}
WITH item, variants,
     // generated: kind
     head([label IN labels(item) WHERE label IN ['Theme', 'Objective', 'KPI', 'ActionPlan']]) AS kind,
     // end generated
     substring(reduce(text = '', variant IN variants |
                      text + "; '" + variant + "'"
                      + coalesce(' (' + [w IN latest_first WHERE w.name_key = variant][0].source
                                 + ')', '')), 2) AS listed
RETURN item.plan AS plan,
       item.code AS subject,
       // generated: message
       {Theme: 'theme', Objective: 'objective', KPI: 'KPI', ActionPlan: 'action plan'}[kind] + ' '
         + item.code + ' is written ' + toString(size(variants)) + ' ways: ' + listed AS message,
       {Theme: '策略主題', Objective: '策略目標', KPI: 'KPI', ActionPlan: '行動方案'}[kind] + ' ' + item.code
         + ' 有 ' + toString(size(variants)) + ' 種寫法：' + listed AS message_zh,
       // end generated
       null AS suggestion,
       item.source AS source,
       item AS node
